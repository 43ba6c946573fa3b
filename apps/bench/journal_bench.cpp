// Journal throughput on a real SQLite file: finished attempts recorded per
// second (record_result = attempt row + history row + task attempt count, plus
// the task's final state) with batching, including the final flush. Also the
// cost of a durable acknowledgement (record + flush) and of loading history.
// Prints items_per_second; the target is >= 50,000 results/s.
#include "actors/journal/history_replay.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

std::filesystem::path bench_file(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("dtf-journal-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  return file;
}

dtf::worker_capability bench_worker(int i) {
  dtf::worker_capability w;
  w.id = "worker-cuda-" + std::to_string(i % 8);
  w.kind = dtf::device_kind::cuda;
  w.name = i % 2 ? "NVIDIA A100-SXM4-40GB" : "Tesla V100";
  return w;
}

dtf::attempt_record bench_attempt(int i) {
  dtf::attempt_record a;
  a.task_id = "task-" + std::to_string(i);
  a.worker_id = "worker-cuda-" + std::to_string(i % 8);
  a.status = dtf::task_status::succeeded;
  a.exit_code = 0;
  a.start_unix_s = 1700000000.0 + i;
  a.end_unix_s = a.start_unix_s + 1.5;
  a.duration_s = 1.5;
  a.predicted_s = 1.4;
  a.metrics = {{"throughput", 100.0}};
  a.model = i % 3 ? "bert-base-uncased" : "t5-small";
  a.type = dtf::task_type::benchmark;
  a.batch_size = 8;
  return a;
}

// Results per second: N submitted tasks, then N results and final states, then flush.
void record_results(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<dtf::attempt_record> attempts;
  std::vector<dtf::worker_capability> workers;
  for (int i = 0; i < n; ++i) {
    attempts.push_back(bench_attempt(i));
    workers.push_back(bench_worker(i));
  }
  dtf::task t;
  t.command = {"python3", "bench.py"};
  for (auto _ : state) {
    state.PauseTiming();
    const auto file = bench_file("results.sqlite");
    {
      dtf::journal_options options;
      options.batch_rows = static_cast<std::size_t>(state.range(1));
      dtf::sqlite_journal journal{file, options};
      journal.begin_run("bench");
      for (int i = 0; i < n; ++i) {
        t.id = attempts[static_cast<std::size_t>(i)].task_id;
        journal.record_task_submitted(t);
      }
      journal.flush();
      state.ResumeTiming();
      for (int i = 0; i < n; ++i) {
        const auto& a = attempts[static_cast<std::size_t>(i)];
        journal.record_result(ran_on(a, workers[static_cast<std::size_t>(i)]));
        journal.record_state(a.task_id, dtf::task_status::succeeded);
      }
      journal.flush();
      state.PauseTiming();
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(record_results)->Args({100000, 4096})->Args({100000, 256})->UseRealTime()->Unit(benchmark::kMillisecond);

// Submissions per second (task definition serialized to JSON), with flush.
void record_submissions(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  dtf::task t;
  t.type = dtf::task_type::benchmark;
  t.model = "bert-base-uncased";
  t.command = {"python3", "bench.py", "--model", "bert-base-uncased", "--batch", "8"};
  t.requirements.hardware = {dtf::device_kind::cuda};
  for (auto _ : state) {
    state.PauseTiming();
    const auto file = bench_file("submissions.sqlite");
    {
      dtf::sqlite_journal journal{file};
      journal.begin_run("bench");
      state.ResumeTiming();
      for (int i = 0; i < n; ++i) {
        t.id = "task-" + std::to_string(i);
        journal.record_task_submitted(t);
      }
      journal.flush();
      state.PauseTiming();
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(record_submissions)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);

// A state change acknowledged only once committed: record + flush each time.
void durable_acknowledgement(benchmark::State& state) {
  const auto file = bench_file("ack.sqlite");
  dtf::journal_options options;
  options.durable_commits = state.range(0) != 0;
  dtf::sqlite_journal journal{file, options};
  journal.begin_run("bench");
  dtf::task t;
  int i = 0;
  for (auto _ : state) {
    t.id = "task-" + std::to_string(i++);
    journal.record_task_submitted(t);
    journal.flush();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(options.durable_commits ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(durable_acknowledgement)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Start-up cost of a warm start: load 100k history rows and replay them into a core.
void load_and_replay_history(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto file = bench_file("history.sqlite");
  {
    dtf::sqlite_journal journal{file};
    journal.begin_run("bench");
    for (int i = 0; i < n; ++i) journal.record_result(ran_on(bench_attempt(i), bench_worker(i)));
  }
  dtf::journal_options options;
  options.read_only = true;
  for (auto _ : state) {
    dtf::sqlite_journal journal{file, options};
    dtf::scheduler_core core;
    const auto rows = journal.load_history();
    benchmark::DoNotOptimize(dtf::replay_history(rows, core));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(load_and_replay_history)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace
BENCHMARK_MAIN();
