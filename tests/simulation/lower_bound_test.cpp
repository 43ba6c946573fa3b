#include "scheduler/simulation/lower_bound.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dtf {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();

/// Optimal makespan by enumeration: every job on every slot; on one slot jobs
/// run in arrival order (optimal for one machine with release dates).
double brute_force_optimum(const lower_bound_instance& instance) {
  std::vector<std::size_t> slot_class;
  for (std::size_t c = 0; c < instance.class_slots.size(); ++c)
    for (int s = 0; s < instance.class_slots[c]; ++s) slot_class.push_back(c);
  std::vector<std::size_t> order(instance.jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](auto a, auto b) { return instance.jobs[a].arrival_s < instance.jobs[b].arrival_s; });
  std::vector<std::size_t> choice(instance.jobs.size(), 0);
  double best = never;
  while (true) {
    std::vector<double> free_at(slot_class.size(), 0.0);
    double makespan = 0.0;
    for (auto j : order) {
      const auto& job = instance.jobs[j];
      const double p = job.duration_s[slot_class[choice[j]]];
      if (!std::isfinite(p)) { makespan = never; break; }
      free_at[choice[j]] = std::max(free_at[choice[j]], job.arrival_s) + p;
      makespan = std::max(makespan, free_at[choice[j]]);
    }
    best = std::min(best, makespan);
    std::size_t k = 0;
    while (k < choice.size() && ++choice[k] == slot_class.size()) choice[k++] = 0;
    if (k == choice.size()) break;
  }
  return best;
}

TEST(lower_bound, equals_the_optimum_for_one_task_on_two_devices) {
  lower_bound_instance instance{{1, 1}, {{5.0, {10.0, 4.0}}}};
  const auto lb = compute_lower_bound(instance);
  EXPECT_DOUBLE_EQ(lb.longest_task_s, 9.0);
  EXPECT_LE(lb.value_s, brute_force_optimum(instance));
  EXPECT_GE(lb.value_s, 9.0);
}

TEST(lower_bound, lp_beats_the_simple_bounds_when_the_fast_device_is_contended) {
  // Four tasks that take 1 s on the one fast slot and 10 s on the slow one:
  // work/slots = 2 and the longest is 1, but using the slow slot at all needs
  // T >= 10, so the LP puts everything on the fast slot: T = 4.
  lower_bound_instance instance{{1, 1}, {}};
  for (int i = 0; i < 4; ++i) instance.jobs.push_back({0.0, {1.0, 10.0}});
  const auto lb = compute_lower_bound(instance);
  EXPECT_NEAR(lb.work_over_slots_s, 2.0, 1e-9);
  EXPECT_NEAR(lb.lp_s, 4.0, 1e-3);
  EXPECT_DOUBLE_EQ(brute_force_optimum(instance), 4.0);
  EXPECT_LE(lb.value_s, brute_force_optimum(instance));
}

TEST(lower_bound, respects_devices_a_task_cannot_use) {
  lower_bound_instance instance{{1, 1}, {{0.0, {3.0, never}}, {0.0, {3.0, never}}, {0.0, {1.0, 1.0}}}};
  const auto lb = compute_lower_bound(instance);
  EXPECT_NEAR(lb.lp_s, 6.0, 1e-3);
  EXPECT_DOUBLE_EQ(brute_force_optimum(instance), 6.0);
}

TEST(lower_bound, rounding_for_large_instances_keeps_it_below_the_exact_bound) {
  lower_bound_instance instance{{2, 3}, {}};
  for (int i = 0; i < 300; ++i) instance.jobs.push_back({0.0, {1.0 + i * 0.37, 2.0 + (i % 17) * 0.5}});
  const auto exact = compute_lower_bound(instance);
  lower_bound_options coarse;
  coarse.max_lp_task_classes = 20;
  const auto rounded = compute_lower_bound(instance, coarse);
  EXPECT_GT(rounded.lp_rounding, 1.0);
  EXPECT_LE(rounded.lp_task_classes, 20u);
  EXPECT_LE(rounded.lp_s, exact.lp_s * (1 + 1e-3));
  EXPECT_GT(rounded.lp_s, 0.0);
}

TEST(lower_bound, skips_the_lp_when_no_grid_merges_the_classes_below_the_limit) {
  // Three feasibility patterns stay three classes whatever the grid; before, the
  // grid's ratio grew to infinity and rounding looped forever on NaN.
  lower_bound_instance instance{{1, 1}, {{0.0, {3.0, never}}, {0.0, {never, 5.0}}, {0.0, {2.0, 2.0}}}};
  lower_bound_options one;
  one.max_lp_task_classes = 1;
  const auto lb = compute_lower_bound(instance, one);
  EXPECT_EQ(lb.lp_s, 0.0);
  EXPECT_EQ(lb.lp_task_classes, 3u);
  EXPECT_NEAR(lb.value_s, std::max(lb.longest_task_s, lb.work_over_slots_s), 1e-12);
  EXPECT_NEAR(lb.value_s, 5.0, 1e-12);
  EXPECT_LE(lb.value_s, brute_force_optimum(instance));
}

RC_GTEST_PROP(lower_bound, never_exceeds_the_brute_force_optimum, ()) {
  const auto classes = *rc::gen::inRange<std::size_t>(1, 3);
  lower_bound_instance instance;
  std::size_t slots = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    const int s = *rc::gen::inRange(1, 3);
    instance.class_slots.push_back(s);
    slots += static_cast<std::size_t>(s);
  }
  RC_PRE(slots <= 4);
  const auto jobs = *rc::gen::inRange<std::size_t>(1, 7);
  for (std::size_t j = 0; j < jobs; ++j) {
    lower_bound_instance::job job;
    job.arrival_s = *rc::gen::element(0.0, 0.0, 1.0, 2.5, 7.0);
    bool any = false;
    for (std::size_t c = 0; c < classes; ++c) {
      const bool feasible = *rc::gen::inRange(0, 4) != 0;
      const double p = *rc::gen::inRange(1, 40) * 0.5;
      job.duration_s.push_back(feasible ? p : never);
      any = any || feasible;
    }
    if (!any) job.duration_s[0] = 1.0;
    instance.jobs.push_back(job);
  }
  const auto lb = compute_lower_bound(instance);
  const double opt = brute_force_optimum(instance);
  RC_ASSERT(lb.value_s <= opt * (1 + 1e-9));
  RC_ASSERT(lb.lp_s >= lb.work_over_slots_s * (1 - 1e-3));
}

} // namespace
} // namespace dtf
