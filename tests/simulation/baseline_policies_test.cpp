#include "scheduler/core/scheduler_core.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dtf {
namespace {

worker_capability worker(std::string id, device_kind kind, double memory, int slots, std::string name = "Test CPU") {
  worker_capability w;
  w.id = std::move(id);
  w.kind = kind;
  w.name = std::move(name);
  w.memory_bytes = static_cast<std::uint64_t>(memory * bytes_per_gb);
  w.cores = 8;
  w.slots = slots;
  if (kind == device_kind::cuda) w.compute_capability = 7.0;
  return w;
}

task job(std::string id, std::vector<device_kind> hardware = {device_kind::cpu}) {
  task t;
  t.id = std::move(id);
  t.type = task_type::benchmark;
  t.model = "bert-base-uncased";
  t.batch_size = 8;
  t.requirements.hardware = std::move(hardware);
  return t;
}

scheduler_core core_with(const std::string& policy, const std::vector<worker_capability>& workers,
                         unsigned long long seed = 1) {
  scheduler_config config;
  config.seed = seed;
  scheduler_core core(config, make_policy(policy, config));
  for (const auto& w : workers) core.add_worker(w);
  return core;
}

std::vector<std::string> placed_workers(scheduler_core& core, int tasks) {
  for (int i = 0; i < tasks; ++i) {
    auto t = job("t" + std::to_string(i));
    t.sequence = static_cast<std::uint64_t>(i);
    core.submit(t);
  }
  std::vector<std::string> out;
  for (const auto& a : core.schedule(0.0)) out.push_back(a.worker_id);
  return out;
}

TEST(baseline_policies, are_all_registered) {
  const auto names = policy_names();
  for (const char* name : {"intelligent", "seed", "round_robin", "random", "least_loaded", "min_completion"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
}

TEST(round_robin, rotates_through_workers_in_registration_order) {
  auto core = core_with("round_robin", {worker("a", device_kind::cpu, 16, 2), worker("b", device_kind::cpu, 16, 2),
                                        worker("c", device_kind::cpu, 16, 2)});
  EXPECT_EQ(placed_workers(core, 5), (std::vector<std::string>{"a", "b", "c", "a", "b"}));
}

TEST(least_loaded, picks_the_worker_with_the_fewest_running_tasks_per_slot) {
  auto core = core_with("least_loaded", {worker("big", device_kind::cpu, 16, 4), worker("small", device_kind::cpu, 16, 2)});
  // 0/4 ties 0/2 -> big; then 1/4 < 0/2? no: small (0) is emptier; then 1/4 < 1/2 -> big.
  EXPECT_EQ(placed_workers(core, 3), (std::vector<std::string>{"big", "small", "big"}));
}

TEST(random, is_reproducible_from_the_seed_and_changes_with_it) {
  std::vector<worker_capability> fleet;
  for (int i = 0; i < 6; ++i) fleet.push_back(worker("w" + std::to_string(i), device_kind::cpu, 16, 10));
  auto a = core_with("random", fleet, 1), b = core_with("random", fleet, 1), c = core_with("random", fleet, 2);
  const auto first = placed_workers(a, 30);
  EXPECT_EQ(first, placed_workers(b, 30));
  EXPECT_NE(first, placed_workers(c, 30));
}

TEST(seed, scores_with_the_original_formula) {
  auto v100 = worker("v100", device_kind::cuda, 32, 1, "Tesla V100");
  auto core = core_with("seed", {v100});
  auto t = job("t", {device_kind::cuda});
  t.requirements.min_memory_gb = 8;
  t.requirements.min_cuda_compute = 6.0;
  t.requirements.device = "v100";
  const auto decision = core.explain_now(t);
  ASSERT_EQ(decision.candidates.size(), 1u);
  // 10 + 5 (kind) + 0.5 x (32 - 8) + 0.3 x (7.0 - 6.0) + 1 (device name) - 0 running
  EXPECT_NEAR(decision.candidates[0].total, 10 + 5 + 12 + 0.3 + 1, 1e-9);
}

TEST(seed, lets_raw_memory_dominate_like_the_original) {
  // The CPU's 64 GB outweighs everything else, so it wins over the GPU.
  auto core = core_with("seed", {worker("gpu", device_kind::cuda, 16, 1, "Tesla V100"),
                                 worker("cpu", device_kind::cpu, 64, 1)});
  core.submit(job("t", {device_kind::cuda, device_kind::cpu}));
  const auto placed = core.schedule(0.0);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].worker_id, "cpu");
}

TEST(seed, subtracts_one_per_running_task_and_breaks_ties_by_registration) {
  auto core = core_with("seed", {worker("a", device_kind::cpu, 16, 2), worker("b", device_kind::cpu, 16, 2)});
  EXPECT_EQ(placed_workers(core, 3), (std::vector<std::string>{"a", "b", "a"}));
}

TEST(min_completion, picks_the_worker_predicted_to_finish_first) {
  auto core = core_with("min_completion", {worker("slow", device_kind::cpu, 16, 1, "Slow CPU"),
                                           worker("fast", device_kind::cpu, 16, 1, "Fast CPU")});
  // Teach the predictor: the model takes 100 s on the slow worker, 10 s on the fast one.
  for (int round = 0; round < 3; ++round) {
    core.submit(job("warm-a" + std::to_string(round)));
    core.submit(job("warm-b" + std::to_string(round)));
    for (const auto& a : core.schedule(0.0)) {
      task_result r;
      r.task_id = a.task_id;
      r.worker_id = a.worker_id;
      r.duration_s = a.worker_id == "slow" ? 100.0 : 10.0;
      r.model = "bert-base-uncased";
      r.type = task_type::benchmark;
      r.batch_size = 8;
      core.record_result(r, 0.0);
    }
  }
  core.submit(job("probe"));
  const auto placed = core.schedule(0.0);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].worker_id, "fast");
}

} // namespace
} // namespace dtf
