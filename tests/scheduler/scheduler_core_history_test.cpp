// scheduler_core::learn_from_history: results of an earlier run warm the
// predictor, specialization and affinity links without touching tasks,
// slots or statistics.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

task_result earlier_result(std::string model, std::string worker_id, double duration_s,
                           task_status status = task_status::succeeded) {
  task_result r;
  r.task_id = "earlier-" + model;
  r.worker_id = std::move(worker_id);
  r.status = status;
  r.duration_s = duration_s;
  r.model = std::move(model);
  r.type = task_type::benchmark;
  r.batch_size = 8;
  return r;
}

} // namespace

TEST(scheduler_core_history, a_seen_model_and_device_is_predicted_from_history_not_the_default) {
  const auto a100 = cuda_worker("a100", "NVIDIA A100-SXM4-40GB", 40, 8.0, 108);
  scheduler_core cold;
  cold.add_worker(a100);
  scheduler_core warm;
  warm.learn_from_history(earlier_result("bert-base", "a100", 42.0), a100);
  warm.add_worker(a100);

  auto t = make_task("t", {device_kind::cuda}, 0, 0, "bert-base");
  t.batch_size = 8;
  EXPECT_EQ(cold.predictor().predict(t, a100).level, prediction_level::default_estimate);
  const auto p = warm.predictor().predict(t, a100);
  EXPECT_EQ(p.level, prediction_level::exact);
  EXPECT_DOUBLE_EQ(p.seconds, 42.0);
}

TEST(scheduler_core_history, learns_specialization_for_workers_not_registered_yet) {
  scheduler_core core;
  const auto xeon = cpu_worker("xeon", "Intel Xeon", 64, 32);
  core.learn_from_history(earlier_result("t5-small", "xeon", 10.0), xeon);
  core.learn_from_history(earlier_result("t5-small", "xeon", 0.0, task_status::failed), xeon);
  const auto entries = core.specialization().entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].worker_id, "xeon");
  EXPECT_EQ(entries[0].family, "t5");
  EXPECT_EQ(entries[0].successes, 1u);
  EXPECT_EQ(entries[0].failures, 1u);
}

TEST(scheduler_core_history, learns_links_between_models_run_on_the_same_worker) {
  scheduler_core core;
  const auto gpu = cuda_worker("g", "NVIDIA T4", 16, 7.5);
  core.learn_from_history(earlier_result("resnet50", "g", 5.0), gpu);
  core.learn_from_history(earlier_result("efficientnet-b0", "g", 5.0), gpu);
  EXPECT_GT(core.affinity().link_strength("resnet50", "efficientnet-b0"), 0u);
}

TEST(scheduler_core_history, counts_no_task_and_occupies_no_slot) {
  auto core = scheduler_core{};
  const auto w = cpu_worker("w", "cpu", 64, 32, 1);
  core.add_worker(w);
  core.learn_from_history(earlier_result("bert-base", "w", 3.0), w);
  const auto stats = core.stats();
  EXPECT_TRUE(stats.tasks_by_status.empty() ||
              std::all_of(stats.tasks_by_status.begin(), stats.tasks_by_status.end(),
                          [](const auto& entry) { return entry.second == 0; }));
  EXPECT_EQ(stats.predictions.from_history, 0u);  // accuracy is measured on this run's placements only
  core.submit(make_task("t"));
  EXPECT_EQ(core.schedule().size(), 1u);  // the only slot is still free
}
