// Deferral and scarcity agree: a task does not wait for a busy profile whose
// freeing slots go first to pending tasks that only that profile can run.
#include "fleet_fixtures.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

// One A100 slot, busy with a llama run predicted 20 s; a free T4. "small"
// (bert: 50 s on the A100, 150 s on the T4) is predicted to finish sooner by
// waiting for the A100 (20 + 50 < 0.75 x 150). What does schedule() place at
// t = 1 when `exclusive_waiting` 40 GB tasks (A100 only) wait too?
std::vector<assignment> place_small(int exclusive_waiting) {
  auto core = one_a100_one_t4({{"bert-base-uncased", 50.0, 150.0}, {"llama-2-13b", 20.0, 20.0}});
  core.submit(make_task("large", {device_kind::cuda}, 40.0, 0, "llama-2-13b"), 0.0);
  const auto first = core.schedule(0.0);
  EXPECT_EQ(first.size(), 1u);
  EXPECT_EQ(first.at(0).worker_id, "a100");
  for (int k = 0; k < exclusive_waiting; ++k)
    core.submit(make_task("large-" + std::to_string(k), {device_kind::cuda}, 40.0, 0, "llama-2-13b"), 1.0);
  core.submit(make_task("small", {device_kind::cuda}, 0.0, 1, "bert-base-uncased"), 1.0);
  return core.schedule(1.0);
}

} // namespace

TEST(deferral_scarcity, waits_for_a_faster_busy_profile_nobody_else_needs) {
  EXPECT_TRUE(place_small(0).empty());
}

TEST(deferral_scarcity, does_not_wait_for_a_slot_a_task_only_it_fits_takes_first) {
  // Before: it waited, and the A100 went to the 40 GB task while the T4 stood idle.
  const auto placed = place_small(1);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "small");
  EXPECT_EQ(placed[0].worker_id, "t4");
}

namespace {

// One A100 slot runs four 40 GB llama tasks (A100 only, 10 s each) one after
// another, submitted `every_s` apart (0: at once, a batch). At t = 31, while
// the fourth runs until 40, "small" (bert: 50 s on the A100, 150 s on the T4)
// arrives with the T4 free: 9 + 50 < 0.75 x 150, so it would wait for the A100.
std::vector<assignment> place_small_after_llamas(double every_s) {
  auto core = one_a100_one_t4({{"bert-base-uncased", 50.0, 150.0}, {"llama-2-13b", 10.0, 10.0}});
  for (int k = 0; k < 4; ++k) {
    const double at = 10.0 * k;
    if (k > 0) core.record_result(success_of("large-" + std::to_string(k - 1), "a100", 10.0, "llama-2-13b"), at);
    if (every_s > 0.0 || k == 0)
      for (int j = k; j < (every_s > 0.0 ? k + 1 : 4); ++j)
        core.submit(make_task("large-" + std::to_string(j), {device_kind::cuda}, 40.0, 0, "llama-2-13b"), at);
    const auto placed = placement(core.schedule(at));
    EXPECT_EQ(placed.at("large-" + std::to_string(k)), "a100");
  }
  core.submit(make_task("small", {device_kind::cuda}, 0.0, 1, "bert-base-uncased"), 31.0);
  return core.schedule(31.0);
}

} // namespace

TEST(deferral_scarcity, waits_for_a_profile_that_tasks_only_it_fits_came_to_at_once) {
  EXPECT_TRUE(place_small_after_llamas(0.0).empty());  // the batch is done with it: none will arrive
}

TEST(deferral_scarcity, does_not_wait_for_a_profile_that_tasks_only_it_fits_keep_arriving_at) {
  // One every 10 s, 10 s each: those still to come take all of the A100's
  // slot time first. Before: it waited while the T4 stood idle.
  const auto placed = place_small_after_llamas(10.0);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "small");
  EXPECT_EQ(placed[0].worker_id, "t4");
}

TEST(deferral_scarcity, leaving_scarce_profiles_can_be_switched_off) {
  // "flexible" fits both GPUs and is decided first (higher priority); "big" fits only the 80 GB one.
  const auto placed_with = [](bool leave_scarce_profiles) {
    scheduler_config config;
    config.max_tasks_per_worker = 1;
    config.leave_scarce_profiles = leave_scarce_profiles;
    scheduler_core core(config);
    core.add_worker(cuda_worker("large", "NVIDIA A100", 80, 8.0));
    core.add_worker(cuda_worker("small", "Tesla T4", 16, 7.5));
    core.submit(make_task("flexible", {device_kind::cuda}, 0.0, 5));
    core.submit(make_task("big", {device_kind::cuda}, 40.0, 1));
    return placement(core.schedule());
  };
  const auto on = placed_with(true);
  EXPECT_EQ(on.at("flexible"), "small");
  EXPECT_EQ(on.at("big"), "large");
  // Off, the scores alone choose: the larger memory margin takes the 80 GB GPU, and "big" waits.
  const auto off = placed_with(false);
  EXPECT_EQ(off.at("flexible"), "large");
  EXPECT_EQ(off.count("big"), 0u);
}

TEST(deferral_scarcity, a_task_left_off_a_scarce_gpu_passes_over_only_itself) {
  // A100 (80 GB) and T4. At t = 0 three bert tasks (10 s on the A100, 150 s on
  // the T4) wait for the A100, busy until 50: it finishes six such in the T4's
  // window, so the policy passes over six. At t = 50 the A100 frees while the
  // T4 runs a vit until 61, and two 40 GB tasks wait for the A100 alone.
  // "distil" (10 s / 12 s) leaves the A100 to them (the T4 is nearly as good);
  // "resnet" (10 s / 500 s), next in its class, has no such place and takes it.
  // Before, the left-off task passed over as many tasks as the last deferral
  // had (six), "resnet" was never asked, and a lower-priority bert got the A100.
  auto core = one_a100_one_t4({{"bert-base-uncased", 10.0, 150.0},
                               {"llama-2-13b", 50.0, 50.0},
                               {"vit-base-patch16-224", 300.0, 60.0},
                               {"distilbert-base-uncased", 10.0, 12.0},
                               {"resnet50", 10.0, 500.0}});
  core.submit(make_task("l0", {device_kind::cuda}, 40.0, 9, "llama-2-13b"), 0.0);
  for (int k = 1; k <= 3; ++k)
    core.submit(make_task("bert-" + std::to_string(k), {device_kind::cuda}, 1.0, 2, "bert-base-uncased"), 0.0);
  auto placed = placement(core.schedule(0.0));
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed.at("l0"), "a100");  // the berts wait for it: 50 + 10 < 0.75 x 150
  core.submit(make_task("vit", {device_kind::cuda}, 2.0, 9, "vit-base-patch16-224"), 1.0);
  core.submit(make_task("big-1", {device_kind::cuda}, 40.0, 1, "llama-2-13b"), 1.0);
  core.submit(make_task("big-2", {device_kind::cuda}, 40.0, 1, "llama-2-13b"), 1.0);
  core.submit(make_task("distil", {device_kind::cuda}, 0.0, 3, "distilbert-base-uncased"), 1.0);
  core.submit(make_task("resnet", {device_kind::cuda}, 0.0, 3, "resnet50"), 1.0);
  placed = placement(core.schedule(1.0));
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed.at("vit"), "t4");
  core.record_result(success_of("l0", "a100", 50.0, "llama-2-13b"), 50.0);
  placed = placement(core.schedule(50.0));
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed.begin()->first, "resnet");
  EXPECT_EQ(placed.begin()->second, "a100");
}
