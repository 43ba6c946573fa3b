// The worker actor under CAF's deterministic scheduler: emulated tasks take
// their modeled time on the (manual) actor clock, zero-duration tasks finish
// inline in one batch, cancellation reports a cancelled attempt.
#include "actors/execution/command_runner.hpp"
#include "actors/system_setup.hpp"
#include "actors/worker_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace dtf {
namespace {

struct coordinator_log {
  std::vector<std::string> started;
  std::vector<std::vector<attempt_record>> result_batches;
  std::size_t results() const {
    std::size_t n = 0;
    for (const auto& b : result_batches) n += b.size();
    return n;
  }
};

/// Plays the coordinator: records what the worker reports.
coordinator_actor::behavior_type recording_coordinator(coordinator_actor::pointer,
                                                       std::shared_ptr<coordinator_log> log) {
  return {
    [](atom::submit, std::vector<task>&) -> std::uint64_t { return 0; },
    [](atom::cancel, const std::string&) { return false; },
    [](atom::cancel, atom::all) { return std::uint64_t{0}; },
    [](atom::status, const std::string&) { return task_update{}; },
    [](atom::stats) { return runtime_stats{}; },
    [](atom::drain) { return runtime_stats{}; },
    [](atom::subscribe, const caf::actor&) {},
    [](atom::enroll, const worker_capability&, const caf::actor&) { return true; },
    [](atom::member, const std::vector<std::string>& ids, const std::vector<caf::actor>&) {
      return static_cast<std::uint64_t>(ids.size());
    },
    [](atom::assign, const scheduling_round&) {},
    [log](atom::started, const std::string&, const std::vector<std::string>& ids) {
      log->started.insert(log->started.end(), ids.begin(), ids.end());
    },
    [log](atom::result, const std::vector<attempt_record>& reports) { log->result_batches.push_back(reports); },
    [](atom::result, const std::vector<result_effect>&) {},
    [](atom::metrics, const std::vector<worker_metrics_report>&) {},
    [](atom::retry, const std::string&) {},
    [](atom::failed, const std::string&) {},
    [](atom::interrupt, const std::string&) {},
    [](atom::abandon) {},
    [](atom::explain, const std::string&) {},
    [](atom::observe) {},
  };
}

caf::actor_system_config& deterministic(caf::actor_system_config& cfg) {
  configure_deterministic_actor_system(cfg);
  return cfg;
}

worker_capability emulated_gpu() {
  worker_capability w;
  w.id = "gpu-1";
  w.kind = device_kind::cuda;
  w.name = "NVIDIA A100-SXM4-40GB";
  w.memory_bytes = 40ull << 30;
  w.compute_capability = 8.0;
  w.speed = 2.0;
  w.slots = 4;
  w.emulated = true;
  return w;
}

work_order order(const std::string& id, const std::string& model = "bert-base-uncased") {
  work_order o;
  o.work.id = id;
  o.work.type = task_type::benchmark;
  o.work.model = model;
  o.work.requirements.hardware = {device_kind::cuda};
  o.work.timeout_s = 600;
  return o;
}

struct emulated_worker : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{deterministic(cfg)};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::shared_ptr<coordinator_log> log = std::make_shared<coordinator_log>();
  caf::actor coordinator = caf::actor_cast<caf::actor>(sys.spawn(recording_coordinator, log));

  worker_actor spawn(double time_scale) {
    worker_options options;
    options.time_scale = time_scale;
    return spawn_worker(sys, emulated_gpu(), coordinator, options);
  }

  void advance(double seconds) {
    sched.advance_time(std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(seconds)));
    sched.run();
  }
};

TEST_F(emulated_worker, finishes_a_task_after_its_modeled_duration_and_not_before) {
  auto worker = spawn(1.0);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("bench")}, 0);
  sched.run();
  ASSERT_EQ(log->started, std::vector<std::string>{"bench"});
  const double modeled = emulated_duration_s(order("bench").work, emulated_gpu(), false);
  advance(modeled * 0.9);
  EXPECT_EQ(log->results(), 0u);
  advance(modeled * 0.2);
  ASSERT_EQ(log->results(), 1u);
  const auto& rep = log->result_batches.at(0).at(0);
  EXPECT_EQ(rep.status, task_status::succeeded);
  EXPECT_EQ(rep.worker_id, "gpu-1");
  EXPECT_DOUBLE_EQ(rep.metrics.at("emulated_duration_s"), modeled);
  EXPECT_EQ(rep.modeled_s, modeled) << "learning and the journal use the modeled seconds";
  EXPECT_EQ(rep.device_name, emulated_gpu().name);
}

TEST_F(emulated_worker, loads_a_model_once_then_runs_it_warm) {
  auto worker = spawn(1.0);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("cold")}, 0);
  sched.run();
  advance(1e4);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("warm")}, 0);
  sched.run();
  advance(1e4);
  ASSERT_EQ(log->results(), 2u);
  const double cold = log->result_batches.at(0).at(0).metrics.at("emulated_duration_s");
  const double warm = log->result_batches.at(1).at(0).metrics.at("emulated_duration_s");
  EXPECT_LT(warm, cold);
  EXPECT_DOUBLE_EQ(warm, emulated_duration_s(order("warm").work, emulated_gpu(), true));
}

TEST_F(emulated_worker, finishes_zero_duration_tasks_inline_in_one_batch) {
  auto worker = spawn(0.0);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("a"), order("b"), order("c")}, 0);
  sched.run();
  EXPECT_TRUE(log->started.empty());
  ASSERT_EQ(log->result_batches.size(), 1u);
  EXPECT_EQ(log->result_batches[0].size(), 3u);
}

TEST_F(emulated_worker, reports_a_cancelled_attempt_and_drops_its_timer) {
  auto worker = spawn(1.0);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("doomed")}, 0);
  sched.run();
  caf::anon_send(worker, atom::cancel_v, std::string{"doomed"});
  sched.run();
  ASSERT_EQ(log->results(), 1u);
  EXPECT_EQ(log->result_batches[0][0].status, task_status::cancelled);
  advance(1e4);
  EXPECT_EQ(log->results(), 1u) << "the timer of a cancelled task reports nothing";
}

TEST_F(emulated_worker, times_out_a_task_whose_modeled_duration_exceeds_its_timeout) {
  auto worker = spawn(1.0);
  auto o = order("slow", "meta-llama/Llama-2-7b-hf");
  o.work.timeout_s = 1.0;
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{o}, 0);
  sched.run();
  advance(0.5);
  EXPECT_EQ(log->results(), 0u);
  advance(0.6);
  ASSERT_EQ(log->results(), 1u);
  EXPECT_EQ(log->result_batches[0][0].status, task_status::timed_out);
}

TEST_F(emulated_worker, runs_at_most_its_slots_and_starts_queued_orders_as_slots_free) {
  auto worker = spawn(1.0);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("a"), order("b"), order("c")}, 2);
  sched.run();
  ASSERT_EQ(log->started, (std::vector<std::string>{"a", "b"})) << "c waits on the worker for a free slot";
  advance(1e4);  // a and b end; c starts without a word from the coordinator, then ends
  ASSERT_EQ(log->started, (std::vector<std::string>{"a", "b", "c"}));
  advance(1e4);
  EXPECT_EQ(log->results(), 3u);
  for (const auto& batch : log->result_batches)
    for (const auto& rep : batch) EXPECT_EQ(rep.status, task_status::succeeded) << rep.task_id;
}

TEST_F(emulated_worker, cancels_a_queued_order_without_running_it) {
  auto worker = spawn(1.0);
  caf::anon_send(worker, atom::run_v, std::vector<work_order>{order("running"), order("queued")}, 1);
  sched.run();
  caf::anon_send(worker, atom::cancel_v, std::string{"queued"});
  sched.run();
  ASSERT_EQ(log->results(), 1u);
  EXPECT_EQ(log->result_batches[0][0].task_id, "queued");
  EXPECT_EQ(log->result_batches[0][0].status, task_status::cancelled);
  advance(1e4);
  EXPECT_EQ(log->started, std::vector<std::string>{"running"}) << "a cancelled order never starts";
  EXPECT_EQ(log->results(), 2u);
}

} // namespace
} // namespace dtf
