#include "scheduler/simulation/trace_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace dtf {
namespace {

std::string written(const generated_workload& w) {
  std::ostringstream out;
  write_trace(out, w.tasks);
  write_fleet_yaml(out, w.fleet);
  return out.str();
}

generator_options small(std::uint64_t seed, arrival_pattern arrivals = arrival_pattern::batch) {
  generator_options o;
  o.tasks = 300;
  o.seed = seed;
  o.arrivals = arrivals;
  return o;
}

TEST(generator, same_seed_gives_the_same_trace_and_fleet) {
  EXPECT_EQ(written(generate_workload(small(7))), written(generate_workload(small(7))));
  EXPECT_NE(written(generate_workload(small(7))), written(generate_workload(small(8))));
}

TEST(generator, writes_the_requested_number_of_tasks_that_read_back) {
  const auto w = generate_workload(small(3));
  ASSERT_EQ(w.tasks.tasks.size(), 300u);
  std::ostringstream out;
  write_trace(out, w.tasks);
  std::istringstream in(out.str());
  EXPECT_EQ(parse_trace(in, "g.jsonl").tasks.size(), 300u);
}

TEST(generator, every_task_has_a_device_in_the_fleet) {
  const auto w = generate_workload(small(5));
  for (const auto& t : w.tasks.tasks) {
    const bool any = std::any_of(w.fleet.begin(), w.fleet.end(),
                                 [&](const worker_capability& worker) { return true_duration_s(t, worker).has_value(); });
    EXPECT_TRUE(any) << t.spec.id;
  }
}

TEST(generator, mixes_kinds_shares_models_across_batch_sizes_and_has_a_heavy_tail) {
  const auto w = generate_workload(small(11));
  std::set<device_kind> kinds;
  std::set<std::string> models;
  std::set<std::pair<std::string, int>> variants;
  std::vector<double> v100;
  for (const auto& t : w.tasks.tasks) {
    for (auto k : t.spec.requirements.hardware) kinds.insert(k);
    models.insert(t.spec.model);
    variants.insert({t.spec.model, t.spec.batch_size});
    for (const auto& [device, s] : t.duration_s)
      if (device == "V100") v100.push_back(s);
  }
  EXPECT_EQ(kinds.size(), 3u);
  EXPECT_LT(models.size(), variants.size());   // sweeps share models
  EXPECT_LT(variants.size(), w.tasks.tasks.size());  // and repeat
  std::sort(v100.begin(), v100.end());
  ASSERT_FALSE(v100.empty());
  EXPECT_GT(v100.back(), 10 * v100[v100.size() / 2]);  // heavy tail: max >> median
}

TEST(generator, newest_gpu_is_not_the_fastest_for_every_model) {
  const auto w = generate_workload(small(2));
  bool v100_slower_somewhere = false;
  for (const auto& t : w.tasks.tasks) {
    double v100 = 0, p100 = 0;
    for (const auto& [device, s] : t.duration_s) {
      if (device == "V100") v100 = s;
      if (device == "P100") p100 = s;
    }
    if (v100 > 0 && p100 > 0 && v100 > p100) v100_slower_somewhere = true;
  }
  EXPECT_TRUE(v100_slower_somewhere);
}

TEST(generator, online_arrivals_spread_out_and_batch_arrivals_start_together) {
  const auto batch = generate_workload(small(4));
  EXPECT_TRUE(std::all_of(batch.tasks.tasks.begin(), batch.tasks.tasks.end(),
                          [](const trace_task& t) { return t.arrival_s == 0.0; }));
  const auto online = generate_workload(small(4, arrival_pattern::online));
  EXPECT_GT(online.tasks.tasks.back().arrival_s, 0.0);
  EXPECT_TRUE(std::is_sorted(online.tasks.tasks.begin(), online.tasks.tasks.end(),
                             [](const trace_task& a, const trace_task& b) { return a.arrival_s < b.arrival_s; }));
}

TEST(generator, cpu_only_control_has_identical_cpu_workers_and_cpu_tasks) {
  auto o = small(1);
  o.fleet = fleet_shape::cpu_only;
  o.workers = 8;
  const auto w = generate_workload(o);
  ASSERT_EQ(w.fleet.size(), 8u);
  for (const auto& worker : w.fleet) EXPECT_EQ(worker.kind, device_kind::cpu);
  for (const auto& t : w.tasks.tasks) {
    ASSERT_EQ(t.spec.requirements.hardware, std::vector<device_kind>{device_kind::cpu});
    ASSERT_EQ(t.duration_s.size(), 1u);
  }
}

TEST(generator, fleet_apportions_workers_over_device_types) {
  generator_options o;
  o.tasks = 10;
  o.workers = 1000;
  const auto w = generate_workload(o);
  EXPECT_EQ(w.fleet.size(), 1000u);
  std::set<std::string> ids;
  for (const auto& worker : w.fleet) ids.insert(worker.id);
  EXPECT_EQ(ids.size(), 1000u);
}

} // namespace
} // namespace dtf
