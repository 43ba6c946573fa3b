// The deciding units on their own: scarcity (a profile left to the tasks only
// it can run), the affinity lookahead (a warm-model task ahead of the head
// task), and the busy count deferral certificates rely on.
#include "../scheduler/fleet_fixtures.hpp"
#include "scheduler/core/affinity_lookahead.hpp"
#include "scheduler/core/deferral.hpp"
#include "scheduler/core/scarcity.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
struct small_core {
  scheduler_config config;
  execution_predictor predictor;
  affinity_map affinity;
  specialization_tracker specialization;
  fleet_index fleet;
  task_table tasks;
  pending_queue queue{0.0, true};
  decision_cache cache;
  profile_starts starts;
  class_arrivals arrivals;
  slot_holds holds;
  core_parts parts() {
    return {fleet, tasks, queue, cache, predictor, affinity, specialization, starts, arrivals, 0.0, holds};
  }
  std::size_t add(const worker_capability& w, int slots = 1) {
    return fleet.add(w, slots, slots, affinity.worker_key(w.id), specialization.worker_key(w.id),
                     predictor.device_key(w.name));
  }
  task_handle submit(task t, std::uint64_t sequence) {
    const auto cls = fleet.class_of(t.requirements);
    const auto model = t.model.empty() ? affinity_map::no_key : affinity.model_key(t.model);
    const auto h = tasks.add(std::move(t));
    auto& r = tasks[h];
    r.class_id = cls;
    r.affinity_model = model;
    r.key = queue_key{r.body.priority, 10.0, sequence, h};
    queue.enqueue(tasks, h, 0.0);
    return h;
  }
};
} // namespace

TEST(scarcity, a_task_that_fits_anywhere_leaves_the_only_profile_a_waiting_task_fits) {
  small_core c;
  const auto big = c.add(cuda_worker("big", "A100-80GB", 80, 8.0));
  c.add(cuda_worker("small", "T4", 16, 7.5));
  const auto anywhere = c.submit(make_task("any", {device_kind::cuda}, 8.0), 1);
  const auto own = c.tasks[anywhere].class_id;
  const auto big_profile = c.fleet.worker(big).profile;
  EXPECT_FALSE(reserved(c.tasks[anywhere].body, own, big_profile, no_worker_index, c.fleet, c.queue, c.cache,
                        c.predictor, 0.0, true));
  c.submit(make_task("needs-80", {device_kind::cuda}, 60.0), 2);
  EXPECT_EQ(exclusive_pending(c.fleet, c.queue, big_profile), 1u);
  EXPECT_TRUE(any_exclusive_pending(c.fleet, c.queue));
  EXPECT_TRUE(reserved(c.tasks[anywhere].body, own, big_profile, no_worker_index, c.fleet, c.queue, c.cache,
                       c.predictor, 0.0, true));
  // The other profile is never reserved for it: nothing waits for it alone.
  EXPECT_FALSE(reserved(c.tasks[anywhere].body, own, c.fleet.worker(1).profile, no_worker_index, c.fleet, c.queue,
                        c.cache, c.predictor, 0.0, true));
}

TEST(scarcity, a_busy_alternative_counts_once_the_task_s_own_runs_back_it) {
  small_core c;
  const auto big = c.add(cuda_worker("big", "A100-80GB", 80, 8.0));
  const auto small = c.add(cuda_worker("small", "T4", 16, 7.5));
  const auto anywhere = c.submit(make_task("any", {device_kind::cuda}, 8.0, 0, "bert-base"), 1);
  c.submit(make_task("needs-80", {device_kind::cuda}, 60.0), 2);
  const auto own = c.tasks[anywhere].class_id;
  const auto big_profile = c.fleet.worker(big).profile;
  c.fleet.occupy(small, {99, 0.0, 5.0});
  const auto is_reserved = [&](double now_s, bool busy_alternatives = true) {
    return reserved(c.tasks[anywhere].body, own, big_profile, no_worker_index, c.fleet, c.queue, c.cache,
                    c.predictor, now_s, busy_alternatives);
  };
  // The T4 is busy and t's prediction there is a default: nothing backs a wait for it.
  EXPECT_FALSE(is_reserved(0.0));
  c.predictor.record("bert-base", task_type::benchmark, 0, c.fleet.worker(big).cap, 10.0);
  c.predictor.record("bert-base", task_type::benchmark, 0, c.fleet.worker(small).cap, 12.0);
  // Free in 5 s, 12 s there: 7 s later than the A100, less than the 10 s the waiting task would lose.
  EXPECT_TRUE(is_reserved(0.0));
  // Waiting for the busy T4 is a deferral: a policy that does not defer takes the free A100.
  EXPECT_FALSE(is_reserved(0.0, false));
  // An occupant 35 s past its predicted end is taken to run 35 s more: no longer worth the wait.
  EXPECT_FALSE(is_reserved(40.0));
}

TEST(affinity_lookahead, takes_a_pending_task_whose_model_is_warm_on_the_chosen_worker) {
  small_core c;
  const auto w = c.add(cuda_worker("a0", "A100", 40, 8.0));
  c.affinity.touch(c.fleet.worker(w).affinity_key, c.affinity.model_key("bert-base"));
  const auto head = c.submit(make_task("head", {device_kind::cuda}, 0.0, 0, "t5-base"), 1);
  const auto warm = c.submit(make_task("warm", {device_kind::cuda}, 0.0, 0, "bert-base"), 2);
  affinity_lookahead lookahead(c.config, true);
  const auto never_passed = [](std::uint32_t, const queue_key&) { return false; };
  EXPECT_EQ(lookahead.find(head, w, c.parts(), never_passed), warm);
  // Not a task passed over in this call, nor one a policy deferred.
  EXPECT_EQ(lookahead.find(head, w, c.parts(), [](std::uint32_t, const queue_key&) { return true; }), no_handle);
  c.tasks[warm].first_deferred_at_s = 1.0;
  c.queue.note_deferred(c.tasks[warm]);
  EXPECT_EQ(lookahead.find(head, w, c.parts(), never_passed), no_handle);
  // Off, or past its skips, it takes nothing.
  EXPECT_EQ(affinity_lookahead(c.config, false).find(head, w, c.parts(), never_passed), no_handle);
}

TEST(deferral, busy_finishing_within_counts_tasks_the_full_workers_finish_in_the_window) {
  small_core c;
  const auto a = c.add(cuda_worker("a0", "A100", 40, 8.0));
  const auto b = c.add(cuda_worker("a1", "A100", 40, 8.0));
  const auto h = c.submit(make_task("t", {device_kind::cuda}), 1);
  c.fleet.occupy(a, {99, 0.0, 10.0});
  c.fleet.occupy(b, {98, 0.0, 1000.0});
  const auto& profiles = c.fleet.requirement(c.tasks[h].class_id).profiles;
  const double d = c.predictor.predict(c.tasks[h].body, c.fleet.worker(a).cap).seconds;
  // Within 10 s + d only the worker freeing at 10 s counts, once.
  EXPECT_EQ(busy_finishing_within(c.tasks[h].body, profiles, 0.0, 10.0 + d * 1.5, 100, c.fleet, c.cache, c.predictor),
            1u);
  EXPECT_EQ(busy_finishing_within(c.tasks[h].body, profiles, 0.0, 5.0, 100, c.fleet, c.cache, c.predictor), 0u);
  EXPECT_EQ(busy_finishing_within(c.tasks[h].body, profiles, 0.0, 1e9, 3, c.fleet, c.cache, c.predictor), 3u);
}
