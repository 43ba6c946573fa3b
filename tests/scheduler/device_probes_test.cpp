// Probes of untried devices (scheduler/core/probes.hpp): while submissions
// arrive, a task waiting for the GPU its model ran on starts on an idle CPU
// its model never ran on, cut off past 3x its GPU time; a cut probe queues
// the task again and is not repeated, a finished one teaches the CPU time.
#include "fleet_fixtures.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <optional>

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

constexpr double gpu_s = 10.0;  // op-add on the GPU, learned

scheduler_config probing_config() {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  // A handful of tasks: a few percent of their slot time buys no probe.
  config.probe_budget_fraction = 10.0;
  config.backup_budget_fraction = 10.0;
  return config;
}

task op(std::string id) {
  auto t = make_task(std::move(id), {device_kind::cuda, device_kind::cpu}, 0.0, 0, "op-add");
  t.timeout_s = 1e6;
  return t;
}

/// The task's assignment in `out` (a copy: `out` is often a temporary).
std::optional<assignment> find(const std::vector<assignment>& out, const std::string& task_id) {
  for (const auto& a : out)
    if (a.task_id == task_id) return a;
  return std::nullopt;
}

/// A GPU and a CPU, op-add learned on the GPU only; tasks arrive every 5 s:
/// op0 takes the GPU at 0 s, op1 (at 5 s) waits for it -- the CPU is
/// predicted 30x slower -- and probes the CPU (op0's 5 s of slot time fund it).
scheduler_core core_probing_op1(scheduler_config config = probing_config(), const std::string& policy = "intelligent") {
  scheduler_core core(config, make_policy(policy, config));
  core.add_worker(cuda_worker("gpu", "GPU", 32, 8.0));
  core.add_worker(cpu_worker("cpu", "CPU", 64, 8));
  core.learn_from_history(success_of("old", "gpu", gpu_s, "op-add"), core.workers()[0]);
  core.submit(op("op0"), 0.0);
  const auto first = core.schedule(0.0);
  EXPECT_EQ(placement(first), (std::map<std::string, std::string>{{"op0", "gpu"}}));
  core.submit(op("op1"), 5.0);
  return core;
}

} // namespace

TEST(device_probes, a_waiting_task_probes_an_idle_device_its_model_never_ran_on_with_a_cut_off) {
  auto core = core_probing_op1();
  const auto out = core.schedule(5.0);
  const auto probe = find(out, "op1");
  ASSERT_NE(probe, std::nullopt);
  EXPECT_EQ(probe->worker_id, "cpu");
  EXPECT_DOUBLE_EQ(probe->cutoff_s, 3.0 * gpu_s);  // probe_cutoff_factor x its best own time
  EXPECT_EQ(core.stats_summary().probes_started, 1u);
  // op0's placement on the GPU, from history, had none.
  EXPECT_GT(probe->predicted_duration_s, probe->cutoff_s);  // the guess said the CPU is slower
}

TEST(device_probes, a_probe_cut_off_queues_its_task_again_and_is_not_repeated) {
  auto core = core_probing_op1();
  ASSERT_NE(find(core.schedule(5.0), "op1"), std::nullopt);
  auto cut = success_of("op1", "cpu", 3.0 * gpu_s, "op-add");
  cut.status = task_status::timed_out;
  const auto effect = core.record_result(cut, 35.0);
  EXPECT_TRUE(effect.requeued);
  EXPECT_FALSE(effect.still_running);
  EXPECT_EQ(core.pending_count(), 1u);
  const auto stats = core.stats_summary();
  EXPECT_EQ(stats.probes_cut, 1u);
  EXPECT_DOUBLE_EQ(stats.probe_cut_slot_s, 30.0);
  EXPECT_NE(core.predictor().predict(op("x"), core.workers()[1]).level, prediction_level::exact)
      << "a cut probe teaches no time there";
  // The CPU is idle again, the GPU still busy, submissions still arriving: op-add is not probed there again.
  core.submit(op("op2"), 35.5);
  for (const auto& a : core.schedule(35.5)) EXPECT_EQ(a.cutoff_s, 0.0) << a.task_id;
  EXPECT_EQ(core.stats_summary().probes_started, 1u);
}

TEST(device_probes, a_finished_probe_teaches_its_models_time_on_the_device) {
  auto core = core_probing_op1();
  ASSERT_NE(find(core.schedule(5.0), "op1"), std::nullopt);
  const auto effect = core.record_result(success_of("op1", "cpu", 8.0, "op-add"), 13.0);
  EXPECT_FALSE(effect.requeued);
  const auto p = core.predictor().predict(op("x"), core.workers()[1]);
  EXPECT_EQ(p.level, prediction_level::exact);
  EXPECT_DOUBLE_EQ(p.seconds, 8.0);
  // Now the CPU is a place like any other for op-add: the next one runs there without a cut-off.
  core.submit(op("op2"), 14.0);
  const auto next = find(core.schedule(14.0), "op2");
  ASSERT_NE(next, std::nullopt);
  EXPECT_EQ(next->worker_id, "cpu");
  EXPECT_EQ(next->cutoff_s, 0.0);
}

TEST(device_probes, a_batch_submitted_at_once_is_not_probed) {
  const auto config = probing_config();
  scheduler_core core(config, make_policy("intelligent", config));
  core.add_worker(cuda_worker("gpu", "GPU", 32, 8.0));
  core.add_worker(cpu_worker("cpu", "CPU", 64, 8));
  core.learn_from_history(success_of("old", "gpu", gpu_s, "op-add"), core.workers()[0]);
  for (int k = 0; k < 4; ++k) core.submit(op("op" + std::to_string(k)), 0.0);
  for (const auto& a : core.schedule(0.0)) EXPECT_EQ(a.cutoff_s, 0.0) << a.task_id;
  EXPECT_EQ(core.stats_summary().probes_started, 0u);
}

TEST(device_probes, probes_stay_within_the_budget_of_cancelled_slot_time) {
  auto config = probing_config();
  config.probe_budget_fraction = 0.02;  // 30 s of probe needs 1,500 s of slot time used: 5 s so far
  auto core = core_probing_op1(config);
  EXPECT_EQ(find(core.schedule(5.0), "op1"), std::nullopt);
  EXPECT_EQ(core.stats_summary().probes_started, 0u);
}

TEST(device_probes, the_switch_turns_them_off) {
  auto config = probing_config();
  config.probe_untried_devices = false;
  auto core = core_probing_op1(config);
  EXPECT_EQ(find(core.schedule(5.0), "op1"), std::nullopt);
  EXPECT_EQ(core.stats_summary().probes_started, 0u);
}

TEST(device_probes, the_baselines_never_probe) {
  auto core = core_probing_op1(probing_config(), "least_loaded");
  const auto op1 = find(core.schedule(5.0), "op1");
  ASSERT_NE(op1, std::nullopt);  // the CPU is free: least_loaded places it there, a placement like any other
  EXPECT_EQ(op1->worker_id, "cpu");
  EXPECT_EQ(op1->cutoff_s, 0.0);
  EXPECT_EQ(core.stats_summary().probes_started, 0u);
}

TEST(device_probes, finished_probes_say_nothing_about_the_device_for_other_models) {
  // Probes finish where their device is fast for their model: the CPU stays a guess for the others. Three
  // models fast on the CPU, as probes, leave op-mul at the blind CPU prior; the same runs placed by the policy
  // (results like any other) lower it (three models' evidence: execution_predictor's blind_cpu_prior).
  const std::vector<std::string> fast = {"op-add", "op-sub", "op-div"};
  auto core = core_probing_op1();  // op0 (op-add) holds the GPU throughout
  scheduler_core plain(probing_config(), make_policy("intelligent", probing_config()));
  plain.add_worker(cuda_worker("gpu", "GPU", 32, 8.0));
  plain.add_worker(cpu_worker("cpu", "CPU", 64, 8));
  for (const auto& model : fast) {
    core.learn_from_history(success_of("old-" + model, "gpu", gpu_s, model), core.workers()[0]);
    plain.learn_from_history(success_of("old-" + model, "gpu", gpu_s, model), plain.workers()[0]);
  }
  for (auto* c : {&core, &plain})
    c->learn_from_history(success_of("old-mul", "gpu", gpu_s, "op-mul"), c->workers()[0]);
  const auto mul = make_task("m", {device_kind::cuda, device_kind::cpu}, 0.0, 0, "op-mul");
  const auto before = core.predictor().predict(mul, core.workers()[1]);
  ASSERT_GT(before.seconds, 10.0 * gpu_s);  // the blind CPU prior
  double now = 5.0;
  for (std::size_t k = 0; k < fast.size(); ++k) {
    const std::string id = "p" + std::to_string(k);
    if (k > 0) core.submit(make_task(id, {device_kind::cuda, device_kind::cpu}, 0.0, 0, fast[k]), now);
    const auto out = core.schedule(now);
    const auto probe = find(out, k == 0 ? "op1" : id);
    ASSERT_NE(probe, std::nullopt) << fast[k];
    ASSERT_GT(probe->cutoff_s, 0.0) << fast[k];
    now += 8.0;
    core.record_result(success_of(k == 0 ? "op1" : id, "cpu", 8.0, fast[k]), now);
    plain.learn_from_history(success_of("cpu-" + fast[k], "cpu", 8.0, fast[k]), plain.workers()[1]);
  }
  const auto after = core.predictor().predict(mul, core.workers()[1]);
  EXPECT_EQ(after.level, before.level);
  EXPECT_DOUBLE_EQ(after.seconds, before.seconds);
  EXPECT_LT(plain.predictor().predict(mul, plain.workers()[1]).seconds, before.seconds / 2.0);
}
