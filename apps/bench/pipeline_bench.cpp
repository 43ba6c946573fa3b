// The whole in-process pipeline (coordinator -> scheduler -> coordinator ->
// worker -> coordinator -> scheduler/predictor), measured through the
// embedding API. Prints its figures; targets on a 2-core machine:
//   no-op tasks on 8 emulated workers   >= 50,000 tasks/s
//   submit-to-start latency, idle       p99 <= 1 ms
//   real `true` commands                tasks/s (as measured)
// Usage: pipeline_bench [--tasks N] [--latency-samples N] [--commands N]
#include "actors/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

dtf::task noop_task(std::size_t i) {
  dtf::task t;
  t.id = "noop-" + std::to_string(i);
  t.type = dtf::task_type::custom;
  t.requirements.hardware = {dtf::device_kind::cuda};
  t.timeout_s = 60;
  return t;
}

std::vector<dtf::worker_capability> emulated_fleet(std::size_t n, int slots) {
  std::vector<dtf::worker_capability> fleet;
  for (std::size_t i = 0; i < n; ++i) {
    dtf::worker_capability w;
    w.id = "emulated-" + std::to_string(i);
    w.kind = dtf::device_kind::cuda;
    w.name = "Emulated GPU";
    w.memory_bytes = 16ull << 30;
    w.compute_capability = 8.0;
    w.slots = slots;
    w.emulated = true;
    fleet.push_back(w);
  }
  return fleet;
}

void throughput(std::size_t tasks, std::size_t workers, int slots, std::size_t batch) {
  dtf::runtime_config config;
  config.probe_local = false;
  config.fleet = emulated_fleet(workers, slots);
  config.time_scale = 0;  // zero-duration emulated tasks complete inline
  config.metrics_interval_s = 0;
  dtf::runtime rt{config};
  rt.start();
  const auto start = clock_type::now();
  for (std::size_t i = 0; i < tasks; i += batch) {
    std::vector<dtf::task> chunk;
    for (std::size_t j = i; j < std::min(tasks, i + batch); ++j) chunk.push_back(noop_task(j));
    rt.submit(std::move(chunk));
  }
  auto stats = rt.wait();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  rt.stop();
  std::printf("pipeline throughput: %zu no-op tasks on %zu emulated workers (%d slots each, submit batches of %zu): "
              "%.3f s, %.0f tasks/s (succeeded %llu)\n",
              tasks, workers, slots, batch, seconds, static_cast<double>(tasks) / seconds,
              static_cast<unsigned long long>(stats.succeeded));
}

void latency(std::size_t samples) {
  std::mutex mutex;
  std::condition_variable assigned_cv;
  std::string last_assigned;
  dtf::runtime_config config;
  config.probe_local = false;
  config.fleet = emulated_fleet(8, 2);
  config.time_scale = 0;
  config.metrics_interval_s = 0;
  dtf::runtime rt{config};
  rt.subscribe([&](const dtf::task_update& u) {
    if (u.kind != dtf::task_event_kind::assigned) return;
    std::lock_guard<std::mutex> guard{mutex};
    last_assigned = u.task_id;
    assigned_cv.notify_all();
  });
  rt.start();
  std::vector<double> micros;
  micros.reserve(samples);
  for (std::size_t i = 0; i < samples + 20; ++i) {  // the first 20 warm up
    auto t = noop_task(i);
    const auto id = t.id;
    const auto start = clock_type::now();
    rt.submit(std::move(t));
    std::unique_lock<std::mutex> lock{mutex};
    assigned_cv.wait(lock, [&] { return last_assigned == id; });
    const double us = std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
    lock.unlock();
    if (i >= 20) micros.push_back(us);
    rt.wait();  // idle cluster before the next sample
  }
  rt.stop();
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(p * micros.size()))]; };
  std::printf("submit-to-start latency on an idle cluster (%zu samples, submit call to the worker's order being "
              "sent, seen by a subscriber): p50 %.0f us, p99 %.0f us, max %.0f us\n",
              micros.size(), pct(0.50), pct(0.99), micros.back());
}

void real_commands(std::size_t count) {
  dtf::runtime_config config;
  config.probe_local = true;
  config.metrics_interval_s = 0;
  config.output_dir = "/tmp/dtf-pipeline-bench-output";
  dtf::runtime rt{config};
  rt.start();
  std::size_t slots = 0;
  for (const auto& w : rt.workers()) slots += static_cast<std::size_t>(config.slots_of(w));
  std::vector<dtf::task> tasks;
  for (std::size_t i = 0; i < count; ++i) {
    dtf::task t;
    t.id = "true-" + std::to_string(i);
    t.requirements.hardware = {dtf::device_kind::cpu};
    t.command = {"true"};
    t.timeout_s = 30;
    tasks.push_back(std::move(t));
  }
  const auto start = clock_type::now();
  rt.submit(std::move(tasks));
  auto stats = rt.wait();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  rt.stop();
  std::printf("real commands: %zu x `true` on %zu local CPU workers (%zu slots): %.3f s, %.0f tasks/s (succeeded %llu)\n",
              count, rt.workers().size(), slots, seconds, static_cast<double>(count) / seconds,
              static_cast<unsigned long long>(stats.succeeded));
}

std::size_t arg_value(int argc, char** argv, std::string_view flag, std::size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (flag == argv[i]) return static_cast<std::size_t>(std::strtoull(argv[i + 1], nullptr, 10));
  return fallback;
}

} // namespace

int main(int argc, char** argv) {
  const auto tasks = arg_value(argc, argv, "--tasks", 100000);
  const auto samples = arg_value(argc, argv, "--latency-samples", 1000);
  const auto commands = arg_value(argc, argv, "--commands", 500);
  throughput(tasks, 8, 64, 5000);
  latency(samples);
  real_commands(commands);
  return 0;
}
