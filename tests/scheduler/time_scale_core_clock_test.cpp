// Predictions are in the worker's clock (modeled seconds on an emulated
// worker), the core's times in its own (wall seconds in dtf run): every
// prediction the core adds to or compares with its clock is converted with
// its worker's time scale. Before, at --time-scale 0.02 a 90 modeled s run
// (1.8 wall s) was expected to free its slot 90 wall s after placement, a
// backup became overdue only after 2 x 90 wall s, and later arrivals claimed
// 50 x the slot time they did. A decision at time scale S with every time
// multiplied by S is the decision at scale 1.
#include "backup_race_fixture.hpp"
#include "scheduler/core/placement_policy.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

TEST(time_scale_core_clock, a_slot_frees_after_the_prediction_in_wall_seconds) {
  auto core = one_a100_one_t4({{"llama-2-13b", 90.0, 90.0}}, 0.02);
  core.submit(make_task("large", {device_kind::cuda}, 40.0, 0, "llama-2-13b"), 0.0);
  ASSERT_EQ(placement(core.schedule(0.0)).at("large"), "a100");
  const scheduler_view view(core);
  // 90 modeled s at 0.02 wall s each: 1.8 wall s (before: 90).
  EXPECT_NEAR(view.predicted_slot_free_in_s(0, 0.0), 1.8, 1e-9);
  EXPECT_NEAR(view.predicted_slot_free_in_s(0, 1.5), 0.3, 1e-9);
  EXPECT_NEAR(view.predicted_duration_s(make_task("next", {}, 0.0, 0, "llama-2-13b"), 1), 1.8, 1e-9);
}

namespace {

/// "small" (a bert-base-uncased task of priority 1) is submitted at at_s: what schedule(at_s) places.
std::vector<assignment> small_arrives(scheduler_core& core, double at_s) {
  core.submit(make_task("small", {device_kind::cuda}, 0.0, 1, "bert-base-uncased"), at_s);
  return core.schedule(at_s);
}

// The A100 runs "large" (90 modeled s, 1.8 wall s at 0.02); at 1.7 wall s
// "small" (10 modeled s on the A100, 30 on the free T4) arrives: the A100
// frees in 0.1 wall s and finishes it 0.3 wall s from now, the T4 in 0.6.
std::vector<assignment> place_small_while_a100_frees(double time_scale) {
  auto core = one_a100_one_t4({{"llama-2-13b", 90.0, 90.0}, {"bert-base-uncased", 10.0, 30.0}}, time_scale);
  core.submit(make_task("large", {device_kind::cuda}, 40.0, 0, "llama-2-13b"), 0.0);
  EXPECT_EQ(placement(core.schedule(0.0)).at("large"), "a100");
  return small_arrives(core, 85.0 * time_scale);
}

} // namespace

TEST(time_scale_core_clock, a_task_waits_for_a_busy_worker_that_frees_soon_in_wall_seconds) {
  EXPECT_TRUE(place_small_while_a100_frees(1.0).empty());
  // Before: at 0.02 the A100 was to free 90 - 1.7 wall s from now, and "small" went to the T4.
  EXPECT_TRUE(place_small_while_a100_frees(0.02).empty());
}

namespace {

// "slow" runs "b", predicted 600 modeled s; "fast" ran "a" in 60 and is free
// again (backup_race_fixture.hpp). Assignments of schedule(at_modeled_s x time_scale).
std::vector<assignment> backups_at(double time_scale, double at_modeled_s) {
  auto core = fast_and_slow_running_a_and_b(time_scale);
  core.record_result(success_of("a", "fast", 60.0, "bert-base"), 60.0 * time_scale);
  return core.schedule(at_modeled_s * time_scale);
}

} // namespace

TEST(time_scale_core_clock, an_attempt_is_overdue_after_its_prediction_in_wall_seconds) {
  // 600 modeled s predicted: no copy at 1.5 x, one at 3 x (past twice it), at either scale.
  EXPECT_TRUE(backups_at(1.0, 900.0).empty());
  EXPECT_TRUE(backups_at(0.02, 900.0).empty());
  const auto at_one = backups_at(1.0, 1800.0);
  ASSERT_EQ(at_one.size(), 1u);
  EXPECT_TRUE(at_one[0].backup);
  // Before: at 0.02 it became overdue only 1,200 wall s after placement.
  const auto at_scale = backups_at(0.02, 1800.0);
  ASSERT_EQ(at_scale.size(), 1u);
  EXPECT_TRUE(at_scale[0].backup);
  EXPECT_EQ(at_scale[0].worker_id, "fast");
}

TEST(time_scale_core_clock, an_end_of_batch_copy_reads_the_time_run_in_wall_seconds) {
  // b (600 modeled s on slow) has run 60 modeled s when a ends on fast: expected
  // to need about 590 more, against fast's p90 of about 100: a copy at once, at either scale.
  for (double time_scale : {1.0, 0.02}) {
    auto core = fast_and_slow_running_a_and_b(time_scale, true);
    core.record_result(success_of("a", "fast", 60.0, "bert-base"), 60.0 * time_scale);
    const auto copies = core.schedule(60.0 * time_scale);
    ASSERT_EQ(copies.size(), 1u) << time_scale;
    EXPECT_TRUE(copies[0].backup);
    EXPECT_EQ(copies[0].worker_id, "fast");
  }
}

namespace {

// One A100 slot runs four 40 GB llama tasks (A100 only, 1 modeled s each),
// submitted 10 modeled s apart; at 30.5 "small" (bert: 50 on the A100, 150
// on the T4) arrives with the T4 free. The llamas still to come claim a tenth
// of the A100's slot time: 2 of its runs fit the window, 1 is left to
// "small", so it waits. All times x time_scale.
std::vector<assignment> place_small_after_sparse_llamas(double time_scale) {
  auto core = one_a100_one_t4({{"bert-base-uncased", 50.0, 150.0}, {"llama-2-13b", 1.0, 1.0}}, time_scale);
  for (int k = 0; k < 4; ++k) {
    const double at = 10.0 * k * time_scale;
    if (k > 0) core.record_result(success_of("large-" + std::to_string(k - 1), "a100", 1.0, "llama-2-13b"), at);
    core.submit(make_task("large-" + std::to_string(k), {device_kind::cuda}, 40.0, 0, "llama-2-13b"), at);
    EXPECT_EQ(placement(core.schedule(at)).at("large-" + std::to_string(k)), "a100");
  }
  return small_arrives(core, 30.5 * time_scale);
}

} // namespace

TEST(time_scale_core_clock, arriving_work_claims_its_slot_time_in_wall_seconds) {
  EXPECT_TRUE(place_small_after_sparse_llamas(1.0).empty());
  // Before: at 0.02 the llamas' modeled seconds per wall second claimed all of the A100 (5 x its slot time).
  EXPECT_TRUE(place_small_after_sparse_llamas(0.02).empty());
}

TEST(time_scale_core_clock, a_real_and_an_emulated_worker_compare_in_the_cores_clock) {
  scheduler_core core;
  core.add_worker(cuda_worker("real", "Tesla T4", 16, 7.5));
  core.add_worker(emulated(cuda_worker("emulated", "NVIDIA A100-SXM4-80GB", 80, 8.0), 0.02));
  core.learn_from_history(success_of("old1", "real", 10.0, "bert-base"), core.workers()[0]);
  core.learn_from_history(success_of("old2", "emulated", 100.0, "bert-base"), core.workers()[1]);
  const auto t = make_task("t", {device_kind::cuda}, 0.0, 0, "bert-base");
  const scheduler_view view(core);
  // 10 wall s on the real T4; 100 modeled s, 2 wall s, on the emulated A100.
  EXPECT_NEAR(view.predicted_duration_s(t, 0), 10.0, 1e-9);
  EXPECT_NEAR(view.predicted_duration_s(t, 1), 2.0, 1e-9);
  EXPECT_NEAR(view.best_free_predicted_finish_s(t, 0.0), 2.0, 1e-9);
}

namespace {

// Shortest first on one emulated single-slot worker at `time_scale`: "busy"
// runs from 0 to 600 modeled s while "long0" (batch 100: estimated 60 s) waits;
// short tasks arrive at 100. All times x time_scale. The task placed when "busy" ends.
std::string placed_after_busy(double time_scale) {
  scheduler_config config;
  config.shortest_first_aging_factor = 1.0;
  scheduler_core core(config);
  core.add_worker(emulated(cpu_worker("w", "cpu", 64, 32, 1), time_scale));
  auto sized = [](std::string id, int batch) {
    auto t = make_task(std::move(id));
    t.batch_size = batch;
    return t;
  };
  core.submit(sized("busy", 1), 0.0);
  EXPECT_EQ(placement(core.schedule(0.0)).count("busy"), 1u);
  core.submit(sized("long0", 100), 0.0);
  core.submit(sized("short1", 1), 100.0 * time_scale);
  core.submit(sized("short2", 1), 100.0 * time_scale);
  core.schedule(100.0 * time_scale);
  core.record_result(success_of("busy", "w", 600.0), 600.0 * time_scale);
  auto next = core.schedule(600.0 * time_scale);
  return next.size() == 1 ? next[0].task_id : "";
}

} // namespace

TEST(time_scale_core_clock, a_task_overtaken_by_shorter_ones_ages_after_its_estimate_in_wall_seconds) {
  EXPECT_EQ(placed_after_busy(1.0), "long0");  // waited 600 s, past its estimate
  // Before: at 0.02 it aged only 60 wall s after it was queued, and short1 went first.
  EXPECT_EQ(placed_after_busy(0.02), "long0");
}
