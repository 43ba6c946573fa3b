// learner on its own: one function learns a finished attempt -- the
// worker's success, and the lower bound a first attempt leaves when its
// backup wins -- and attempts still running teach lower bounds at 2x, 4x, ...
#include "../scheduler/fleet_fixtures.hpp"
#include "scheduler/core/learner.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
struct fixture {
  scheduler_config config;
  learner learned{config};
  fleet_index fleet;
  std::size_t add(const worker_capability& w) {
    const auto keys = learned.register_worker(w);
    const auto i = fleet.add(w, 1, 1, keys.affinity, keys.specialization, keys.device);
    learned.add_to_member_order(i, fleet);
    return i;
  }
};
task_result result(std::string worker, double duration_s, task_status status = task_status::succeeded) {
  task_result r;
  r.task_id = "t";
  r.worker_id = std::move(worker);
  r.status = status;
  r.duration_s = duration_s;
  r.model = "bert-base";
  r.type = task_type::benchmark;
  return r;
}
} // namespace

TEST(learner, a_success_teaches_the_predictor_specialization_and_affinity_of_its_worker) {
  fixture f;
  const auto fast = f.add(cuda_worker("a", "A100", 40, 8.0));
  const auto r = result("a", 12.0);
  attempt_outcome o{&r, task_status::succeeded, true};
  o.worker = fast;
  f.learned.learn(o, f.fleet);
  const auto probe = make_task("p", {device_kind::cuda}, 0.0, 0, "bert-base");
  EXPECT_NEAR(f.learned.predictor.predict(probe, f.fleet.worker(fast).cap).seconds, 12.0, 1e-9);
  EXPECT_EQ(f.learned.affinity.value(f.fleet.worker(fast).affinity_key, f.learned.affinity.find_model("bert-base")),
            affinity_map::same_model_value);
  EXPECT_FALSE(f.learned.specialization.entries().empty());
}

TEST(learner, a_first_attempt_that_lost_to_its_backup_leaves_a_lower_bound_on_its_worker) {
  fixture f;
  const auto slow = f.add(cuda_worker("slow", "T4", 16, 7.5));
  const auto fast = f.add(cuda_worker("fast", "A100", 40, 8.0));
  const auto r = result("fast", 10.0);
  attempt_outcome o{&r, task_status::succeeded, true};
  o.worker = fast;
  o.lost_worker = slow;
  o.lost_ran_s = 300.0;  // the first attempt ran 300 s on the T4 and had not finished
  f.learned.learn(o, f.fleet);
  const auto probe = make_task("p", {device_kind::cuda}, 0.0, 0, "bert-base");
  EXPECT_GE(f.learned.predictor.predict(probe, f.fleet.worker(slow).cap).seconds, 300.0);
  EXPECT_NEAR(f.learned.predictor.predict(probe, f.fleet.worker(fast).cap).seconds, 10.0, 1e-9);
}

TEST(learner, a_running_attempt_is_learned_as_a_lower_bound_at_each_check) {
  fixture f;
  const auto w = f.add(cpu_worker("c", "Xeon", 64, 16));
  task_table tasks;
  const auto h = tasks.add(make_task("t", {}, 0.0, 0, "bert-base"));
  tasks[h].first = {static_cast<int>(w), 0.0, 10.0, prediction_level::exact, 20.0};
  f.learned.watch_running(h, 20.0);
  const auto probe = make_task("p", {}, 0.0, 0, "bert-base");
  const auto& cap = f.fleet.worker(w).cap;
  f.learned.predictor.record("bert-base", task_type::benchmark, 0, cap, 10.0);
  ASSERT_NEAR(f.learned.predictor.predict(probe, cap).seconds, 10.0, 1e-9);
  f.learned.learn_running_lower_bounds(19.0, tasks, f.fleet);
  EXPECT_LT(f.learned.predictor.predict(probe, cap).seconds, 19.0);
  f.learned.learn_running_lower_bounds(25.0, tasks, f.fleet);  // ran 25 s: next check at 50 s
  EXPECT_GE(f.learned.predictor.predict(probe, cap).seconds, 25.0);
  f.learned.learn_running_lower_bounds(49.0, tasks, f.fleet);
  EXPECT_LT(f.learned.predictor.predict(probe, cap).seconds, 49.0);
  f.learned.unwatch_running(h);  // the attempt ended: no more checks
  f.learned.learn_running_lower_bounds(1000.0, tasks, f.fleet);
  EXPECT_LT(f.learned.predictor.predict(probe, cap).seconds, 100.0);
}
