#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/input/suite_parser.hpp"
#include "scheduler/simulation/dry_run_plan.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

dtf::dry_run_plan plan_for(std::string_view suite_yaml, std::string_view fleet_yaml, int max_tasks_per_worker = 2) {
  const auto suite = dtf::parse_suite_text(suite_yaml, "suite.yaml", dtf::suite_format::yaml);
  dtf::scheduler_config config;
  config.max_tasks_per_worker = max_tasks_per_worker;
  dtf::scheduler_core core(config);
  for (auto& w : dtf::parse_fleet_text(fleet_yaml, "fleet.yaml", dtf::input_format::yaml)) core.add_worker(w);
  for (const auto& t : suite.tasks) core.submit(t);
  return dtf::plan_in_predicted_time(core, suite.tasks);
}

constexpr std::string_view two_gpus = R"(workers:
  - {id: small, kind: cuda, name: "NVIDIA T4", memory_gb: 16, compute_capability: 7.5, cores: 40}
  - {id: big, kind: cuda, name: "NVIDIA A100", memory_gb: 80, compute_capability: 8.0, cores: 108}
)";

} // namespace

TEST(dry_run_plan, plans_more_tasks_than_slots_in_later_waves_without_overlap) {
  const auto plan = plan_for(R"(tasks:
  - matrix: {model: [bert-base, t5-small, vit-base], batch_size: [1, 8, 32]}
    type: benchmark
    requirements: {hardware: [cuda]}
)",
                             two_gpus, 1);
  ASSERT_EQ(plan.assignments.size(), 9u);
  EXPECT_TRUE(plan.pending.empty());
  std::map<std::string, double> worker_free_at;
  double previous_start = 0.0;
  for (const auto& a : plan.assignments) {
    EXPECT_GE(a.start_s, previous_start) << "placement order is start order";
    previous_start = a.start_s;
    EXPECT_GE(a.start_s + 1e-9, worker_free_at[a.worker_id]) << a.task_id << " overlaps on " << a.worker_id;
    worker_free_at[a.worker_id] = a.start_s + a.predicted_duration_s;
    EXPECT_LE(worker_free_at[a.worker_id], plan.makespan_s + 1e-9);
  }
}

TEST(dry_run_plan, lists_tasks_no_worker_can_run_with_every_workers_reason) {
  const auto plan = plan_for(R"(tasks:
  - {id: fits, requirements: {hardware: [cuda], min_memory_gb: 40}}
  - {id: needs-rocm, requirements: {hardware: [rocm]}}
  - {id: too-big, requirements: {hardware: [cuda], min_memory_gb: 100}}
)",
                             two_gpus);
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].task_id, "fits");
  EXPECT_EQ(plan.assignments[0].worker_id, "big");
  ASSERT_EQ(plan.pending.size(), 2u);
  EXPECT_EQ(plan.pending[0].task_id, "needs-rocm");
  EXPECT_EQ(plan.pending[1].task_id, "too-big");
  ASSERT_EQ(plan.pending[1].reasons.size(), 2u);
  EXPECT_EQ(plan.pending[1].reasons[0].first, "small");
  EXPECT_FALSE(plan.pending[1].reasons[0].second.empty());
}

TEST(dry_run_plan, its_statistics_count_the_tasks_left_pending_as_unplaceable) {
  const auto suite = dtf::parse_suite_text(R"(tasks:
  - {id: fits, type: test, requirements: {hardware: [cuda], min_memory_gb: 40}}
  - {id: needs-rocm, type: test, requirements: {hardware: [rocm]}}
  - {id: too-big, type: benchmark, requirements: {hardware: [cuda], min_memory_gb: 100}}
)",
                                           "suite.yaml", dtf::suite_format::yaml);
  dtf::scheduler_core core(dtf::scheduler_config{});
  for (auto& w : dtf::parse_fleet_text(two_gpus, "fleet.yaml", dtf::input_format::yaml)) core.add_worker(w);
  for (const auto& t : suite.tasks) core.submit(t);
  const auto plan = dtf::plan_in_predicted_time(core, suite.tasks);
  const auto stats = dtf::plan_statistics(core, plan, suite.tasks);
  const std::map<std::string, std::uint64_t> by_status{{"planned", 1}, {"unplaceable", 2}};
  EXPECT_EQ(stats.tasks_by_status, by_status);
  EXPECT_EQ(stats.tasks_by_type_and_status.at("test"), (std::map<std::string, std::uint64_t>{{"planned", 1}, {"unplaceable", 1}}));
  EXPECT_EQ(stats.tasks_by_type_and_status.at("benchmark"), (std::map<std::string, std::uint64_t>{{"unplaceable", 1}}));
}
