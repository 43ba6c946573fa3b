// Every message travels as a caf::message serialized by its registered type
// name, the way the middleman sends it between nodes: what goes in comes out.
#include "actors/system_setup.hpp"
#include "actors/type_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <optional>

#include <vector>

namespace dtf {
namespace {

struct serialization : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{init(cfg)};

  static caf::actor_system_config& init(caf::actor_system_config& c) {
    configure_actor_system(c, 1);
    return c;
  }

  /// Serializes a message holding x and reads it back as a fresh message.
  template <class T>
  T round_trip(const T& x) {
    auto msg = caf::make_message(x);
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    if (auto err = sink(msg)) ADD_FAILURE() << sys.render(err);
    caf::message copy;
    caf::binary_deserializer source{sys, buf};
    if (auto err = source(copy)) ADD_FAILURE() << sys.render(err);
    EXPECT_TRUE(copy.match_elements<T>());
    return copy.get_as<T>(0);
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
  attempt_report r;
  r.result.task_id = "t";
  r.result.metrics = {{"throughput", 12.5}};
  r.stderr_tail = "boom";
  u.report = r;
  auto back = round_trip(std::vector<task_update>{u}).at(0);
  EXPECT_EQ(back.kind, task_event_kind::finished);
  EXPECT_EQ(back.status, task_status::timed_out);
  ASSERT_TRUE(back.report.has_value());
  EXPECT_EQ(back.report->stderr_tail, "boom");
  EXPECT_DOUBLE_EQ(back.report->result.metrics.at("throughput"), 12.5);
}

TEST_F(serialization, round_trips_scheduling_rounds_result_effects_and_stats) {
  scheduling_round round;
  round.assignments.push_back({"t", "w", 3.5, 2.0});
  round.unplaceable.push_back({"u", {{"w", "kind cpu not acceptable"}}});
  round.requeued = {"x"};
  auto rb = round_trip(round);
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

// Every field of every record, set to a value other than its default: an
// inspect overload that leaves one out fails here (a backup assignment once
// arrived in another process as a normal one).
TEST_F(serialization, round_trips_every_field_of_assignments_orders_reports_and_updates) {
  assignment a{"t", "w", 3.5, 2.0, true, true, 6.5};
  auto ab = round_trip(scheduling_round{{a}, {}, {}}).assignments.at(0);
  EXPECT_EQ(ab.task_id, "t");
  EXPECT_EQ(ab.worker_id, "w");
  EXPECT_DOUBLE_EQ(ab.score, 3.5);
  EXPECT_DOUBLE_EQ(ab.predicted_duration_s, 2.0);
  EXPECT_TRUE(ab.backup) << "a backup attempt must stay a backup between processes";
  EXPECT_TRUE(ab.predicted_from_history);
  EXPECT_DOUBLE_EQ(ab.predicted_p90_s, 6.5);

  work_order o{sample_task(), 3, 4.25};
  auto ob = round_trip(std::vector<work_order>{o}).at(0);
  EXPECT_EQ(ob.work.id, o.work.id);
  EXPECT_EQ(ob.attempt, 3);
  EXPECT_DOUBLE_EQ(ob.predicted_duration_s, 4.25);
  EXPECT_EQ(ob.work.sequence, 7u);
  EXPECT_EQ(ob.work.retries, 2);
  EXPECT_EQ(ob.work.env, o.work.env);

  attempt_report r;
  r.result = {"t", "w", task_status::failed, 1.5, 3, "bert", task_type::test, 8, 2, {{"m", 1.0}}};
  r.started_at_s = 10;
  r.finished_at_s = 11.5;
  r.predicted_duration_s = 1.25;
  r.stdout_path = "out/t.2.stdout";
  r.stderr_path = "out/t.2.stderr";
  r.stderr_tail = "tail";
  r.term_signal = 9;
  r.error = "terminated by SIGKILL";
  auto rb = round_trip(std::vector<attempt_report>{r}).at(0);
  EXPECT_EQ(rb.result.worker_id, "w");
  EXPECT_EQ(rb.result.status, task_status::failed);
  EXPECT_EQ(rb.result.exit_code, 3);
  EXPECT_EQ(rb.result.model, "bert");
  EXPECT_EQ(rb.result.type, task_type::test);
  EXPECT_EQ(rb.result.batch_size, 8);
  EXPECT_EQ(rb.result.attempt, 2);
  EXPECT_DOUBLE_EQ(rb.started_at_s, 10);
  EXPECT_DOUBLE_EQ(rb.finished_at_s, 11.5);
  EXPECT_DOUBLE_EQ(rb.predicted_duration_s, 1.25);
  EXPECT_EQ(rb.stdout_path, r.stdout_path);
  EXPECT_EQ(rb.stderr_path, r.stderr_path);
  EXPECT_EQ(rb.term_signal, 9);
  EXPECT_EQ(rb.error, r.error);

  task_update u;
  u.task_id = "t";
  u.kind = task_event_kind::finished;
  u.status = task_status::cancelled;
  u.worker_id = "w";
  u.attempt = 2;
  u.predicted_duration_s = 1.25;
  u.reason = "interrupted by SIGINT";
  u.stopped = true;
  auto ub = round_trip(std::vector<task_update>{u}).at(0);
  EXPECT_EQ(ub.worker_id, "w");
  EXPECT_EQ(ub.attempt, 2);
  EXPECT_DOUBLE_EQ(ub.predicted_duration_s, 1.25);
  EXPECT_EQ(ub.reason, u.reason);
  EXPECT_TRUE(ub.stopped);

  auto qb = round_trip(std::vector<requeue_request>{{"t", "w"}}).at(0);
  EXPECT_EQ(qb.task_id, "t");
  EXPECT_EQ(qb.avoid_worker_id, "w");
}

TEST_F(serialization, round_trips_every_field_of_runtime_stats) {
  runtime_stats s{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15.5, {{"w", 1, 2, 3.0}}, "{}", "", ""};
  s.failure = "actor dtf.scheduler failed";
  s.interrupted = "SIGTERM";
  auto b = round_trip(s);
  const std::vector<std::uint64_t> counts{b.submitted, b.pending, b.assigned, b.running, b.succeeded,
                                          b.failed, b.timed_out, b.cancelled, b.unplaceable, b.rejected,
                                          b.attempts, b.retries, b.workers_registered, b.workers_lost};
  EXPECT_EQ(counts, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  EXPECT_DOUBLE_EQ(b.elapsed_s, 15.5);
  EXPECT_EQ(b.workers.at(0).worker_id, "w");
  EXPECT_EQ(b.workers.at(0).running, 1);
  EXPECT_DOUBLE_EQ(b.workers.at(0).busy_s, 3.0);
  EXPECT_EQ(b.scheduler_stats_json, "{}");
  EXPECT_EQ(b.failure, s.failure);
  EXPECT_EQ(b.interrupted, "SIGTERM");
}

/// Any double, with the non-finite ones (and their neighbours) often.
rc::Gen<double> any_double() {
  return rc::gen::weightedOneOf<double>({
    {1, rc::gen::just(std::numeric_limits<double>::infinity())},
    {1, rc::gen::just(-std::numeric_limits<double>::infinity())},
    {1, rc::gen::just(std::numeric_limits<double>::quiet_NaN())},
    {1, rc::gen::just(std::numeric_limits<double>::max())},
    {3, rc::gen::arbitrary<double>()},
  });
}

bool finite_everywhere(const attempt_report& r) {
  bool ok = std::isfinite(r.result.duration_s) && std::isfinite(r.started_at_s) && std::isfinite(r.finished_at_s) &&
            std::isfinite(r.predicted_duration_s);
  for (const auto& [k, v] : r.result.metrics) ok = ok && std::isfinite(v);
  return ok;
}

// The wire never carries a non-finite double (CAF 0.17 hangs serializing an
// infinity): whatever a record holds, it is saved finite; finite values keep
// their bits.
void check_finite_on_the_wire(caf::actor_system& sys) {
  const double a = *any_double(), b = *any_double(), c = *any_double(), d = *any_double(), e = *any_double();
  task_update u;
  u.task_id = "t";
  u.predicted_duration_s = a;
  attempt_report rep;
  rep.result.task_id = "t";
  rep.result.duration_s = b;
  rep.result.metrics = {{"x", c}, {"y", 1.5}};
  rep.started_at_s = d;
  rep.finished_at_s = e;
  rep.predicted_duration_s = a;
  u.report = rep;
  worker_capability w;
  w.id = "w";
  w.speed = c;
  w.compute_capability = d;
  task t;
  t.id = "t";
  t.timeout_s = e;
  t.requirements.min_memory_gb = a;
  t.requirements.min_cuda_compute = b;
  runtime_stats s;
  s.elapsed_s = b;
  s.workers = {{"w", 1, 1, c, 1}};

  auto msg = caf::make_message(std::vector<task_update>{u}, w, std::vector<task>{t}, s);
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  RC_ASSERT(!sink(msg));
  caf::message copy;
  caf::binary_deserializer source{sys, buf};
  RC_ASSERT(!source(copy));
  RC_ASSERT((copy.match_elements<std::vector<task_update>, worker_capability, std::vector<task>, runtime_stats>()));
  const auto& ub = copy.get_as<std::vector<task_update>>(0).at(0);
  RC_ASSERT(std::isfinite(ub.predicted_duration_s));
  RC_ASSERT(ub.report.has_value());
  RC_ASSERT(finite_everywhere(*ub.report));
  RC_ASSERT(ub.report->result.metrics.at("y") == 1.5);
  RC_ASSERT(ub.report->result.metrics.count("x") == (std::isfinite(c) ? 1u : 0u));
  if (std::isfinite(b)) RC_ASSERT(ub.report->result.duration_s == b);
  const auto& wb = copy.get_as<worker_capability>(1);
  RC_ASSERT(std::isfinite(wb.speed));
  RC_ASSERT(wb.compute_capability && std::isfinite(*wb.compute_capability));
  const auto& tb = copy.get_as<std::vector<task>>(2).at(0);
  RC_ASSERT(std::isfinite(tb.timeout_s) && std::isfinite(tb.requirements.min_memory_gb));
  RC_ASSERT(tb.requirements.min_cuda_compute && std::isfinite(*tb.requirements.min_cuda_compute));
  const auto& sb = copy.get_as<runtime_stats>(3);
  RC_ASSERT(std::isfinite(sb.elapsed_s) && std::isfinite(sb.workers.at(0).busy_s));
}

TEST_F(serialization, every_double_that_crosses_the_wire_is_finite) {
  EXPECT_TRUE(rc::check([this] { check_finite_on_the_wire(sys); }));
}

} // namespace
} // namespace dtf
