// Every message travels as a caf::message serialized by its registered type
// name, the way the middleman sends it between nodes: what goes in comes out.
// (Every field of every message type, with random values: message_round_trip_property_test.cpp.)
#include "wire_round_trip.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace dtf {
namespace {

struct serialization : testing::wire_round_trip {
  /// Serializes a message holding x and reads it back as a fresh message.
  template <class T>
  T round_trip(const T& x) {
    std::string error;
    auto back = through_the_wire(x, &error);
    if (!back) {
      ADD_FAILURE() << error;
      return T{};
    }
    return std::move(*back);
  }
};

task sample_task() {
  task t;
  t.id = "bert-base-cuda";
  t.type = task_type::benchmark;
  t.priority = 2;
  t.model = "bert-base-uncased";
  t.batch_size = 32;
  t.requirements.hardware = {device_kind::cuda, device_kind::rocm};
  t.requirements.min_memory_gb = 6;
  t.requirements.min_cuda_compute = 7.5;
  t.requirements.device = "A100";
  t.requirements.labels = {"nvlink"};
  t.command = {"python3", "bench.py"};
  t.env = {{"HF_HOME", "/cache"}};
  t.timeout_s = 600;
  t.retries = 2;
  t.sequence = 7;
  return t;
}

TEST_F(serialization, round_trips_a_task_with_optional_requirements) {
  auto t = round_trip(std::vector<task>{sample_task()}).at(0);
  EXPECT_EQ(t.id, "bert-base-cuda");
  EXPECT_EQ(t.requirements.hardware, (std::vector<device_kind>{device_kind::cuda, device_kind::rocm}));
  ASSERT_TRUE(t.requirements.min_cuda_compute.has_value());
  EXPECT_DOUBLE_EQ(*t.requirements.min_cuda_compute, 7.5);
  EXPECT_EQ(t.requirements.device, std::optional<std::string>{"A100"});
  EXPECT_EQ(t.env.at("HF_HOME"), "/cache");
  EXPECT_EQ(t.sequence, 7u);
}

TEST_F(serialization, round_trips_absent_optionals_as_absent) {
  task t = sample_task();
  t.requirements.min_cuda_compute.reset();
  t.requirements.device.reset();
  auto back = round_trip(work_order{t, 3, 1.25});
  EXPECT_FALSE(back.work.requirements.min_cuda_compute.has_value());
  EXPECT_FALSE(back.work.requirements.device.has_value());
  EXPECT_EQ(back.attempt, 3);
  EXPECT_DOUBLE_EQ(back.predicted_duration_s, 1.25);
}

TEST_F(serialization, round_trips_worker_capabilities_and_metrics) {
  worker_capability w;
  w.id = "cuda0";
  w.kind = device_kind::cuda;
  w.memory_bytes = 40ull << 30;
  w.compute_capability = 8.0;
  w.numa_nodes = {0, 1};
  auto back = round_trip(std::vector<worker_capability>{w}).at(0);
  EXPECT_EQ(back.memory_bytes, 40ull << 30);
  EXPECT_EQ(back.compute_capability, std::optional<double>{8.0});
  EXPECT_EQ(back.numa_nodes, (std::vector<int>{0, 1}));

  worker_metrics_report m{"cuda0", {}};
  m.metrics.utilization = 0.5;
  auto mb = round_trip(std::vector<worker_metrics_report>{m}).at(0);
  EXPECT_EQ(mb.metrics.utilization, std::optional<double>{0.5});
  EXPECT_FALSE(mb.metrics.power_w.has_value());
}

TEST_F(serialization, round_trips_updates_with_attempt_reports) {
  task_update u;
  u.task_id = "t";
  u.kind = task_event_kind::finished;
  u.status = task_status::timed_out;
  attempt_record r;
  r.task_id = "t";
  r.metrics = {{"throughput", 12.5}};
  r.stderr_tail = "boom";
  u.report = r;
  auto back = round_trip(std::vector<task_update>{u}).at(0);
  EXPECT_EQ(back.kind, task_event_kind::finished);
  EXPECT_EQ(back.status, task_status::timed_out);
  ASSERT_TRUE(back.report.has_value());
  EXPECT_EQ(back.report->stderr_tail, "boom");
  EXPECT_DOUBLE_EQ(back.report->metrics.at("throughput"), 12.5);
}

TEST_F(serialization, round_trips_scheduling_rounds_result_effects_and_stats) {
  scheduling_round round;
  round.assignments.push_back({"t", "w", 3.5, 2.0});
  round.unplaceable.push_back({"u", {{"w", "kind cpu not acceptable"}}});
  round.stranded.push_back({"s", {"n/c1"}, {{"w", "device kind cuda not in [cpu]"}}});
  round.requeued = {"x"};
  auto rb = round_trip(round);
  EXPECT_EQ(rb.stranded.at(0).lost_workers, std::vector<std::string>{"n/c1"});
  EXPECT_EQ(rb.stranded.at(0).reasons.at(0).first, "w");
  EXPECT_EQ(rb.assignments.at(0).worker_id, "w");
  EXPECT_EQ(rb.unplaceable.at(0).reasons.at(0).second, "kind cpu not acceptable");
  EXPECT_EQ(rb.requeued, std::vector<std::string>{"x"});

  result_effect won;
  won.cancel_on_worker = "slow";
  auto wb = round_trip(won);
  EXPECT_EQ(wb.cancel_on_worker, std::optional<std::string>{"slow"});
  EXPECT_FALSE(wb.still_running);
  result_effect kept;
  kept.still_running = true;
  auto kb = round_trip(kept);
  EXPECT_FALSE(kb.cancel_on_worker.has_value());
  EXPECT_TRUE(kb.still_running);

  runtime_stats s;
  s.succeeded = 4;
  s.workers.push_back({"w", 1, 2, 3.0});
  s.scheduler_stats_json = "{}";
  auto stb = round_trip(s);
  EXPECT_EQ(stb.succeeded, 4u);
  EXPECT_EQ(stb.workers.at(0).completed, 2u);
}

} // namespace
} // namespace dtf
