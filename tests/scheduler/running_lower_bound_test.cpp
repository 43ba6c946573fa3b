// An attempt still running far past its prediction is a lower bound on the
// run time there (a censored sample), learned while it runs: the next task
// of the model is predicted at least that long on that worker.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
task_result success(std::string task_id, std::string worker_id, double duration_s) {
  task_result r;
  r.task_id = std::move(task_id);
  r.worker_id = std::move(worker_id);
  r.status = task_status::succeeded;
  r.duration_s = duration_s;
  r.model = "resnet50";
  r.type = task_type::benchmark;
  return r;
}
} // namespace

TEST(running_lower_bound, a_run_far_past_its_prediction_raises_the_prediction_while_it_runs) {
  scheduler_core core;
  core.add_worker(cpu_worker("c", "Xeon", 64, 16, 1));
  const auto worker = core.workers().front();
  const auto of_model = [](std::string id) { return make_task(std::move(id), {}, 0.0, 0, "resnet50"); };
  // Three runs of 10 s: the model's own history on this worker.
  for (int i = 0; i < 3; ++i) core.learn_from_history(success("old" + std::to_string(i), "c", 10.0), worker);
  const auto probe = of_model("probe");
  ASSERT_NEAR(core.predictor().predict(probe, worker).seconds, 10.0, 1e-9);

  core.submit(of_model("stuck"), 0.0);
  ASSERT_EQ(core.schedule(0.0).size(), 1u);
  // Within its spread: nothing learned yet.
  core.schedule(15.0);
  EXPECT_NEAR(core.predictor().predict(probe, worker).seconds, 10.0, 1e-9);
  // Still running at 50 s (past twice its prediction and its p90): at least 50 s.
  core.schedule(50.0);
  EXPECT_GE(core.predictor().predict(probe, worker).seconds, 50.0);
  // And again at twice that time.
  core.schedule(100.0);
  EXPECT_GE(core.predictor().predict(probe, worker).seconds, 100.0);
  // It ends at 400 s: a real sample, learned as any other.
  core.record_result(success("stuck", "c", 400.0), 400.0);
  EXPECT_GE(core.predictor().predict(probe, worker).seconds, 100.0);
}

TEST(running_lower_bound, an_attempt_that_ended_is_not_learned_again) {
  scheduler_core core;
  core.add_worker(cpu_worker("c", "Xeon", 64, 16, 1));
  const auto worker = core.workers().front();
  for (int i = 0; i < 3; ++i) core.learn_from_history(success("old" + std::to_string(i), "c", 10.0), worker);
  core.submit(make_task("quick", {}, 0.0, 0, "resnet50"), 0.0);
  ASSERT_EQ(core.schedule(0.0).size(), 1u);
  core.record_result(success("quick", "c", 12.0), 12.0);
  const double after = core.predictor().predict(make_task("probe", {}, 0.0, 0, "resnet50"), worker).seconds;
  // Long after its check time, the ended attempt teaches nothing more.
  core.schedule(1000.0);
  EXPECT_DOUBLE_EQ(core.predictor().predict(make_task("probe", {}, 0.0, 0, "resnet50"), worker).seconds, after);
}
