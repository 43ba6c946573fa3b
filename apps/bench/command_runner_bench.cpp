// Real `true` commands per second through run_command: fork, exec, capture
// (two pipes, two files), reap, group check. Prints items_per_second.
#include "actors/execution/command_runner.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include <unistd.h>

namespace {

dtf::run_request true_command(const std::filesystem::path& output_dir) {
  dtf::run_request request;
  request.t.id = "true";
  request.t.command = {"true"};
  request.t.timeout_s = 10;
  request.worker.id = "worker-cpu-0";
  request.output_dir = output_dir;
  return request;
}

void run_true_commands(benchmark::State& state) {
  auto output_dir = std::filesystem::temp_directory_path() /
                    ("dtf-bench-" + std::to_string(::getpid()) + "-" + std::to_string(state.thread_index()));
  auto request = true_command(output_dir);
  dtf::cancel_token token;
  std::size_t failures = 0;
  for (auto _ : state) {
    auto outcome = dtf::run_command(request, token);
    if (outcome.status != dtf::task_status::succeeded) ++failures;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failures"] = static_cast<double>(failures);
  std::filesystem::remove_all(output_dir);
}
BENCHMARK(run_true_commands)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(run_true_commands)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(run_true_commands)->Threads(8)->UseRealTime()->Unit(benchmark::kMicrosecond);

void run_emulated_no_wait(benchmark::State& state) {
  auto request = true_command({});
  request.worker.emulated = true;
  dtf::cancel_token token;
  for (auto _ : state) benchmark::DoNotOptimize(dtf::run_emulated(request, token, true, 0.0));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(run_emulated_no_wait);

} // namespace

BENCHMARK_MAIN();
