// Cost of the scheduling core (intelligent policy, everything on):
//  - steady_state_decision/W: a fleet of W workers with every slot busy and a
//    deep pending queue; each iteration one task finishes (record_result), one
//    arrives (submit) and schedule() fills the freed slot. Reports µs per
//    iteration and placements per iteration.
//  - batch_run/N/W: N tasks arriving at t=0 on W workers, driven to completion
//    by a minimal event loop (true durations from device speed and model).
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <ctime>
#include <cmath>
#include <cstdint>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using namespace dtf;

struct device_profile {
  device_kind kind;
  const char* name;
  double memory_gb;
  double speed;
};

constexpr std::array<device_profile, 7> profiles = {{
    {device_kind::cuda, "NVIDIA A100", 40, 3.0},
    {device_kind::cuda, "NVIDIA V100", 32, 2.0},
    {device_kind::cuda, "Tesla T4", 16, 1.0},
    {device_kind::cuda, "RTX 3080", 10, 2.0},
    {device_kind::rocm, "AMD Instinct MI100", 32, 2.0},
    {device_kind::cpu, "Intel Xeon", 64, 0.3},
    {device_kind::cpu, "AMD EPYC", 128, 0.4},
}};

std::vector<worker_capability> fleet(int workers) {
  std::vector<worker_capability> out;
  for (int i = 0; i < workers; ++i) {
    const auto& p = profiles[static_cast<std::size_t>(i) % profiles.size()];
    worker_capability w;
    w.id = "w" + std::to_string(i);
    w.kind = p.kind;
    w.name = p.name;
    w.memory_bytes = static_cast<std::uint64_t>(p.memory_gb * bytes_per_gb);
    w.cores = p.kind == device_kind::cpu ? 32 : 80;
    if (p.kind == device_kind::cuda) w.compute_capability = 8.0;
    if (p.kind == device_kind::rocm) w.arch = "gfx908";
    w.slots = 2;
    w.speed = p.speed;
    out.push_back(std::move(w));
  }
  return out;
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

const std::array<std::string, 12> models = {"bert-base-uncased", "distilbert-base-uncased", "roberta-large",
                                            "t5-small", "t5-base", "facebook/opt-1.3b", "meta-llama/Llama-2-7b",
                                            "google/vit-base", "openai/clip-vit-base", "openai/whisper-small",
                                            "resnet50", "yolov8"};

task make_task(std::uint64_t n) {
  const auto h = mix(n + 1);
  task t;
  t.id = "t" + std::to_string(n);
  t.type = h % 5 == 0 ? task_type::test : task_type::benchmark;
  t.priority = static_cast<int>((h >> 8) % 3);
  t.model = models[(h >> 12) % models.size()];
  t.batch_size = std::array{1, 8, 32, 64}[(h >> 20) % 4];
  switch ((h >> 24) % 5) {
    case 0: break;  // cpu only
    case 1: t.requirements.hardware = {device_kind::cuda}; break;
    case 2: t.requirements.hardware = {device_kind::cuda, device_kind::rocm}; break;
    case 3: t.requirements.hardware = {device_kind::rocm, device_kind::cuda, device_kind::cpu}; break;
    default: t.requirements.hardware = {device_kind::cuda, device_kind::cpu}; break;
  }
  t.requirements.min_memory_gb = std::array{0.0, 8.0, 16.0}[(h >> 28) % 3];
  return t;
}

double true_duration(const task& t, const worker_capability& w, std::uint64_t n) {
  const double base = 20.0 + static_cast<double>(mix(std::hash<std::string>{}(t.model)) % 200);
  const double noise = 0.8 + 0.4 * static_cast<double>(mix(n * 7 + 3) % 1000) / 1000.0;
  return base * std::sqrt(static_cast<double>(std::max(1, t.batch_size))) / w.speed * noise;
}

task_result result_for(const task& t, const std::string& worker_id, double duration_s) {
  task_result r;
  r.task_id = t.id;
  r.worker_id = worker_id;
  r.duration_s = duration_s;
  r.model = t.model;
  r.type = t.type;
  r.batch_size = t.batch_size;
  return r;
}

struct running_task {
  double end_s;
  double duration_s;
  std::uint64_t n;
  std::size_t worker;
  bool operator>(const running_task& o) const { return end_s != o.end_s ? end_s > o.end_s : n > o.n; }
};

// A core plus the ground truth the bench knows: tasks, workers, and the
// completion events of what runs (a minimal discrete-event loop).
struct bench_cluster {
  std::vector<worker_capability> workers;
  std::unordered_map<std::string, std::size_t> worker_index;
  std::vector<task> tasks;
  std::priority_queue<running_task, std::vector<running_task>, std::greater<>> events;
  scheduler_core core;
  double now = 0.0;

  explicit bench_cluster(int worker_count) : workers(fleet(worker_count)) {
    for (std::size_t i = 0; i < workers.size(); ++i) {
      core.add_worker(workers[i]);
      worker_index[workers[i].id] = i;
    }
  }
  void submit_next() {
    tasks.push_back(make_task(tasks.size()));
    core.submit(tasks.back(), now);
  }
  void start(const std::vector<assignment>& placed) {
    for (const auto& a : placed) {
      const std::uint64_t n = std::stoull(a.task_id.substr(1));
      const auto w = worker_index[a.worker_id];
      const double d = true_duration(tasks[n], workers[w], n);
      events.push({now + d, d, n, w});
    }
  }
  /// Advances to the next completion and reports it; false when nothing runs.
  bool finish_next() {
    if (events.empty()) return false;
    const auto e = events.top();
    events.pop();
    now = e.end_s;
    core.record_result(result_for(tasks[e.n], workers[e.worker].id, e.duration_s), now);
    return true;
  }
};

void steady_state_decision(benchmark::State& state) {
  bench_cluster cluster(static_cast<int>(state.range(0)));
  for (int n = 0; n < 20000; ++n) cluster.submit_next();
  cluster.start(cluster.core.schedule(0.0));
  std::uint64_t placements = 0;
  double schedule_s = 0.0;  // CPU time inside schedule() alone (the machine is shared: wall time lies)
  for (auto _ : state) {
    if (!cluster.finish_next()) {
      state.SkipWithError("no running task");
      break;
    }
    cluster.submit_next();
    const double started = thread_cpu_s();
    auto placed = cluster.core.schedule(cluster.now);
    schedule_s += thread_cpu_s() - started;
    placements += placed.size();
    cluster.start(placed);
  }
  state.counters["schedule_cpu_us_per_placement"] =
      benchmark::Counter(1e6 * schedule_s / static_cast<double>(std::max<std::uint64_t>(placements, 1)));
  state.counters["placements_per_iteration"] =
      benchmark::Counter(static_cast<double>(placements) / static_cast<double>(state.iterations()));
  state.counters["pending"] = static_cast<double>(cluster.core.pending_count());
}
BENCHMARK(steady_state_decision)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void batch_run(benchmark::State& state) {
  for (auto _ : state) {
    bench_cluster cluster(static_cast<int>(state.range(1)));
    for (std::int64_t n = 0; n < state.range(0); ++n) cluster.submit_next();
    cluster.start(cluster.core.schedule(0.0));
    std::uint64_t finished = 0;
    while (cluster.finish_next()) {
      ++finished;
      cluster.start(cluster.core.schedule(cluster.now));
    }
    const auto stats = cluster.core.stats();
    state.counters["finished"] = static_cast<double>(finished);
    state.counters["unfinished"] = static_cast<double>(cluster.core.pending_count() + cluster.core.running_count());
    state.counters["makespan_s"] = cluster.now;
    state.counters["deferrals"] = static_cast<double>(stats.deferrals);
    state.counters["predictor_mape"] = stats.predictions.mape;
    state.counters["affinity_hit_rate"] = stats.affinity.hit_rate;
  }
}
BENCHMARK(batch_run)->Args({10000, 100})->Args({100000, 1000})->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
