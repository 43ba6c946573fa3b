// The emulated execution model and the wait that stands in for a real run.
#include "actors/execution/command_runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

namespace dtf {
namespace {

task benchmark_of(const std::string& model, int batch_size) {
  task t;
  t.id = "bench";
  t.type = task_type::benchmark;
  t.model = model;
  t.batch_size = batch_size;
  return t;
}

worker_capability gpu_with_speed(double speed) {
  worker_capability w;
  w.id = "worker-cuda-1";
  w.kind = device_kind::cuda;
  w.speed = speed;
  w.emulated = true;
  return w;
}

TEST(emulated_model, follows_the_documented_formula) {
  // benchmark 30 s x bert 1 x sqrt(32/8) x cuda 1 / speed 2, warm: 30 s.
  EXPECT_DOUBLE_EQ(emulated_duration_s(benchmark_of("bert-base-uncased", 32), gpu_with_speed(2.0), true), 30.0);
  // Cold adds the load cost 2 x family factor, independent of speed.
  EXPECT_DOUBLE_EQ(emulated_duration_s(benchmark_of("bert-base-uncased", 32), gpu_with_speed(2.0), false), 32.0);
  // llama 8, batch not given (factor 1), test base 10.
  auto test = benchmark_of("meta-llama/Llama-2-7b", 0);
  test.type = task_type::test;
  EXPECT_DOUBLE_EQ(emulated_duration_s(test, gpu_with_speed(1.0), true), 80.0);
}

TEST(emulated_model, orders_model_families_by_size) {
  auto w = gpu_with_speed(1.0);
  double llama = emulated_duration_s(benchmark_of("llama-7b", 8), w, true);
  double t5 = emulated_duration_s(benchmark_of("t5-base", 8), w, true);
  double bert = emulated_duration_s(benchmark_of("bert-base", 8), w, true);
  EXPECT_GT(llama, t5);
  EXPECT_GT(t5, bert);
}

TEST(emulated_model, faster_workers_and_warm_models_take_less_time_and_cpus_more) {
  auto t = benchmark_of("t5-small", 16);
  EXPECT_LT(emulated_duration_s(t, gpu_with_speed(2.0), true), emulated_duration_s(t, gpu_with_speed(1.0), true));
  EXPECT_LT(emulated_duration_s(t, gpu_with_speed(1.0), true), emulated_duration_s(t, gpu_with_speed(1.0), false));
  auto cpu = gpu_with_speed(1.0);
  cpu.kind = device_kind::cpu;
  EXPECT_DOUBLE_EQ(emulated_duration_s(t, cpu, true), 5.0 * emulated_duration_s(t, gpu_with_speed(1.0), true));
}

TEST(emulated_model, a_nonsense_speed_is_taken_as_one) {
  auto t = benchmark_of("bert", 8);
  double reference = emulated_duration_s(t, gpu_with_speed(1.0), true);
  EXPECT_DOUBLE_EQ(emulated_duration_s(t, gpu_with_speed(0.0), true), reference);
  EXPECT_DOUBLE_EQ(emulated_duration_s(t, gpu_with_speed(-3.0), true), reference);
  EXPECT_DOUBLE_EQ(emulated_duration_s(t, gpu_with_speed(NAN), true), reference);
}

run_request emulated_request(task t) {
  run_request request;
  request.t = std::move(t);
  request.worker = gpu_with_speed(1.0);
  return request;
}

TEST(emulated_runner, succeeds_after_the_scaled_duration_and_reports_the_model_value) {
  cancel_token token;
  auto request = emulated_request(benchmark_of("bert", 8));  // 30 s modeled
  auto outcome = run_emulated(request, token, true, 0.001);   // ~30 ms of wall time
  EXPECT_EQ(outcome.status, task_status::succeeded);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_DOUBLE_EQ(outcome.metrics.at("emulated_duration_s"), 30.0);
  EXPECT_GT(outcome.duration_s, 0.0);
  EXPECT_LT(outcome.duration_s, 10.0);  // sanity only
}

TEST(emulated_runner, times_out_when_the_model_exceeds_the_timeout) {
  cancel_token token;
  auto t = benchmark_of("llama", 8);  // 240 s modeled
  t.timeout_s = 60;
  auto outcome = run_emulated(emulated_request(t), token, true, 0.001);
  EXPECT_EQ(outcome.status, task_status::timed_out);
}

TEST(emulated_runner, a_plan_bounds_the_modeled_time_and_the_wait) {
  // A slow worker, a huge batch and a large time scale: the wait becomes a
  // 64-bit nanosecond timer, which wraps past about 9e9 s (and fired at once).
  auto t = benchmark_of("llama", 1 << 30);
  t.timeout_s = 0;  // none
  const auto plan = plan_emulated_run(t, gpu_with_speed(0.001), true, 1e6);
  EXPECT_DOUBLE_EQ(plan.modeled_s, 1e9);
  EXPECT_DOUBLE_EQ(plan.wall_wait_s, 1e9);
}

TEST(emulated_runner, a_plan_scales_the_wait_and_caps_it_at_the_timeout) {
  auto t = benchmark_of("llama", 8);  // 240 s modeled
  auto plan = plan_emulated_run(t, gpu_with_speed(1.0), true, 0.01);
  EXPECT_DOUBLE_EQ(plan.modeled_s, 240.0);
  EXPECT_FALSE(plan.times_out);
  EXPECT_DOUBLE_EQ(plan.wall_wait_s, 2.4);
  t.timeout_s = 100;
  plan = plan_emulated_run(t, gpu_with_speed(1.0), true, 0.01);
  EXPECT_TRUE(plan.times_out);
  EXPECT_DOUBLE_EQ(plan.wall_wait_s, 1.0);
  run_request request;
  request.t = t;
  request.worker = gpu_with_speed(1.0);
  auto outcome = emulated_outcome(request, plan, 1000.0, 1.0, false);
  EXPECT_EQ(outcome.status, task_status::timed_out);
  EXPECT_EQ(outcome.exit_code, -1);
  EXPECT_DOUBLE_EQ(outcome.end_unix_s, 1001.0);
  EXPECT_EQ(outcome.modeled_s, 100.0) << "a timed-out attempt ran its timeout";
  EXPECT_EQ(outcome.task_id, t.id);
}

TEST(emulated_runner, is_interrupted_by_cancellation) {
  cancel_token token;
  std::thread canceller{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    token.cancel();
  }};
  auto outcome = run_emulated(emulated_request(benchmark_of("llama", 8)), token, true, 1.0);  // 240 s unless cancelled
  canceller.join();
  EXPECT_EQ(outcome.status, task_status::cancelled);
  EXPECT_LT(outcome.duration_s, 60.0);
}

} // namespace
} // namespace dtf
