// `dtf demo`: the original design's demonstration on emulated hardware. The
// four worker profiles (RTX 3080, A100, 32-core Xeon, MI100), its benchmark
// and test tasks, more random tasks submitted while it runs, a status line
// every 5 s and the statistics at the end.
#include "actors/run_progress.hpp"
#include "actors/runtime.hpp"
#include "apps/dtf/interrupt_watch.hpp"
#include "apps/dtf/run_summary.hpp"
#include "scheduler/input/input_limits.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <memory>
#include <random>

#include <unistd.h>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace dtf::app {

namespace {

constexpr const char* demo_usage =
  "usage: dtf demo [--num-workers N] [--run-time SECONDS] [--seed S] [--time-scale X]\n"
  "  --num-workers  emulated workers, cycling through the four profiles (default 4)\n"
  "  --run-time     seconds to keep submitting random tasks (default 120)\n"
  "  --seed         seed of the random task stream (default 42)\n"
  "  --time-scale   wall seconds per modeled second (default 0.05)\n";

constexpr std::uint64_t gib = 1024ull * 1024 * 1024;

worker_capability profile(std::size_t index, std::size_t copy) {
  worker_capability w;
  w.emulated = true;
  switch (index % 4) {
    case 0:
      w.id = "worker-cuda-rtx3080";
      w.kind = device_kind::cuda;
      w.name = "NVIDIA GeForce RTX 3080";
      w.memory_bytes = 10 * gib;
      w.compute_capability = 8.6;
      w.cores = 68;
      w.speed = 1.0;
      break;
    case 1:
      w.id = "worker-cuda-a100";
      w.kind = device_kind::cuda;
      w.name = "NVIDIA A100-SXM4-40GB";
      w.memory_bytes = 40 * gib;
      w.compute_capability = 8.0;
      w.cores = 108;
      w.speed = 1.6;
      w.labels = {"nvlink"};
      break;
    case 2:
      w.id = "worker-cpu-xeon";
      w.kind = device_kind::cpu;
      w.name = "Intel Xeon Gold 6248R (32 cores)";
      w.memory_bytes = 64 * gib;
      w.cores = 32;
      w.pus = 64;
      w.speed = 1.0;
      w.slots = 4;
      break;
    default:
      w.id = "worker-rocm-mi100";
      w.kind = device_kind::rocm;
      w.name = "AMD Instinct MI100";
      w.memory_bytes = 32 * gib;
      w.arch = "gfx908";
      w.cores = 120;
      w.speed = 1.3;
      break;
  }
  if (copy > 0) w.id += "-" + std::to_string(copy + 1);
  return w;
}

task make_task(std::string id, task_type type, std::string model, int batch, std::vector<device_kind> hardware,
               double min_memory_gb, int priority = 0) {
  task t;
  t.id = std::move(id);
  t.type = type;
  t.model = std::move(model);
  t.batch_size = batch;
  t.priority = priority;
  t.requirements.hardware = std::move(hardware);
  t.requirements.min_memory_gb = min_memory_gb;
  t.timeout_s = 3600;
  t.retries = 1;
  return t;
}

/// The original design's benchmark and test tasks.
std::vector<task> design_tasks() {
  using k = device_kind;
  std::vector<task> out;
  auto bert = make_task("bert-base-benchmark", task_type::benchmark, "bert-base-uncased", 32, {k::cuda, k::rocm}, 6, 2);
  bert.requirements.min_cuda_compute = 7.0;
  bert.requirements.device = "A100";
  out.push_back(bert);
  auto llama = make_task("llama-7b-inference", task_type::benchmark, "meta-llama/Llama-2-7b-hf", 1, {k::cuda}, 24, 3);
  llama.requirements.min_cuda_compute = 8.0;
  out.push_back(llama);
  for (std::string model : {"t5-small", "t5-base"})
    for (int batch : {1, 8})
      out.push_back(make_task(model + "-b" + std::to_string(batch), task_type::benchmark, model, batch,
                              {k::cuda, k::rocm}, 4, 1));
  out.push_back(make_task("vit-base-benchmark", task_type::benchmark, "google/vit-base-patch16-224", 64,
                          {k::rocm, k::cuda}, 8));
  out.push_back(make_task("clip-benchmark", task_type::benchmark, "openai/clip-vit-base-patch32", 16, {k::cuda}, 8));
  out.push_back(make_task("whisper-small-benchmark", task_type::benchmark, "openai/whisper-small", 8,
                          {k::cuda, k::rocm}, 6));
  out.push_back(make_task("wav2vec2-cpu-benchmark", task_type::benchmark, "facebook/wav2vec2-base-960h", 4, {k::cpu}, 16));
  out.push_back(make_task("tokenizer-tests", task_type::test, "bert-base-uncased", 0, {k::cpu}, 4, 2));
  out.push_back(make_task("roberta-accuracy-test", task_type::test, "roberta-base", 16, {k::cuda, k::rocm, k::cpu}, 4));
  auto kernels = make_task("cuda-kernel-tests", task_type::test, "", 0, {k::cuda}, 0, 1);
  kernels.requirements.min_cuda_compute = 8.6;
  out.push_back(kernels);
  auto smoke = make_task("rocm-smoke-test", task_type::test, "", 0, {k::rocm}, 0);
  smoke.requirements.require_device = {"MI100", "MI250"};
  out.push_back(smoke);
  return out;
}

/// A random task in the spirit of the design's generator: model, type, batch and hardware drawn from its pools.
task random_task(std::mt19937_64& rng, std::size_t n) {
  static const std::vector<std::string> models = {
    "bert-base-uncased", "distilbert-base-uncased", "roberta-base", "t5-small", "t5-base",
    "google/vit-base-patch16-224", "openai/clip-vit-base-patch32", "openai/whisper-small",
    "facebook/wav2vec2-base-960h", "facebook/opt-1.3b"};
  static const std::vector<std::vector<device_kind>> hardware = {
    {device_kind::cuda}, {device_kind::cuda, device_kind::rocm}, {device_kind::rocm, device_kind::cuda},
    {device_kind::cpu}, {device_kind::cuda, device_kind::rocm, device_kind::cpu}};
  static const std::vector<int> batches = {1, 4, 8, 16, 32};
  auto pick = [&rng](std::size_t size) { return static_cast<std::size_t>(rng() % size); };
  const auto& model = models[pick(models.size())];
  const bool bench = rng() % 3 != 0;
  auto t = make_task("random-" + std::to_string(n), bench ? task_type::benchmark : task_type::test, model,
                     batches[pick(batches.size())], hardware[pick(hardware.size())], static_cast<double>(pick(9)),
                     static_cast<int>(pick(3)));
  t.id += "-" + std::string{bench ? "bench" : "test"};
  return t;
}

/// A number from 0 to `most` (the run time and time scale become clock
/// durations: past about 9e9 s they wrap and the demo ended at once).
double number_arg(std::string_view flag, const char* text, double most) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !std::isfinite(v) || v < 0 || v > most) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", most);
    throw std::invalid_argument(std::string{flag} + " needs a number from 0 to " + limit + ", got '" + text + "'");
  }
  return v;
}

/// A whole number in [least, most] (a count or a seed: no fractions, and
/// nothing a cast from double would make undefined).
std::uint64_t whole_arg(std::string_view flag, const char* text, std::uint64_t least, std::uint64_t most) {
  const std::string_view s{text};
  std::uint64_t v = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || error != std::errc{} || end != s.data() + s.size() || v < least || v > most)
    throw std::invalid_argument(std::string{flag} + " needs a whole number from " + std::to_string(least) + " to " +
                                std::to_string(most) + ", got '" + text + "'");
  return v;
}

} // namespace

int demo_command(int argc, char** argv) {
  std::size_t num_workers = 4;
  double run_time_s = 120, time_scale = 0.05;
  std::uint64_t seed = 42;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::cout << demo_usage;
        return 0;
      }
      if (i + 1 >= argc) throw std::invalid_argument(std::string{arg} + (arg.starts_with("--") ? " needs a value" : ": unexpected argument"));
      const char* value = argv[++i];
      if (arg == "--num-workers") num_workers = whole_arg(arg, value, 1, max_fleet_workers);
      else if (arg == "--run-time") run_time_s = number_arg(arg, value, max_run_seconds);
      else if (arg == "--seed") seed = whole_arg(arg, value, 0, std::numeric_limits<std::uint64_t>::max());
      else if (arg == "--time-scale") time_scale = number_arg(arg, value, max_time_scale);
      else throw std::invalid_argument("unknown option " + std::string{arg});
    }
  } catch (const std::exception& e) {
    std::cerr << "dtf demo: " << e.what() << " (see dtf demo --help)\n";
    return 2;
  }

  runtime_config config;
  config.probe_local = false;
  config.time_scale = time_scale;
  for (std::size_t i = 0; i < num_workers; ++i) config.fleet.push_back(profile(i, i / 4));
  // Before any thread starts: Ctrl-C and SIGTERM end the demo early, with its statistics.
  interrupt_watch interrupts;
  try {
    runtime rt{config};
    std::size_t slots = 0;
    for (const auto& w : config.fleet) slots += static_cast<std::size_t>(config.slots_of(w));
    auto progress = std::make_shared<run_progress>(slots);
    rt.subscribe([progress](const task_update& u) { progress->on_update(u); });
    rt.start();
    std::cout << "dtf demo: " << rt.workers().size() << " emulated workers:\n";
    for (const auto& w : rt.workers()) std::cout << "  " << w.id << "  " << w.name << "\n";
    std::cout << "running for " << run_time_s << " s (time scale " << time_scale << ", seed " << seed << ")\n";
    std::cout.flush();

    rt.submit(design_tasks());
    std::mt19937_64 rng{seed};
    std::size_t random_count = 0;
    const auto start = std::chrono::steady_clock::now();
    auto next_status = start + std::chrono::seconds(5);
    auto next_submit = start + std::chrono::milliseconds(500);
    const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(run_time_s));
    interrupts.on_interrupt([&rt](const char* signal_name) { rt.interrupt(signal_name); });
    while (std::chrono::steady_clock::now() < end && interrupts.signal() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_submit) {
        std::vector<task> batch;
        const auto k = 1 + rng() % 3;
        for (std::size_t i = 0; i < k; ++i) batch.push_back(random_task(rng, ++random_count));
        rt.submit(std::move(batch));
        next_submit = now + std::chrono::milliseconds(500 + static_cast<int>(rng() % 1500));
      }
      if (now >= next_status) {
        std::cout << "[" << static_cast<int>(std::chrono::duration<double>(now - start).count()) << "s] "
                  << format_progress_line(progress->snapshot()) << "\n";
        std::cout.flush();
        next_status += std::chrono::seconds(5);
      }
    }
    // Time is up: what has not finished yet is cancelled, then the statistics.
    // (Interrupted: the runtime already cancels them.)
    if (interrupts.signal() == 0)
      for (const auto& t : progress->tasks())
        if (!t.final) rt.cancel(t.task_id);
    rt.wait_for(30);
    auto stats = rt.stats();
    rt.stop();
    std::cout << "\nfinal: " << format_progress_line(progress->snapshot()) << "\n\n";
    print_run_summary(std::cout, stats, progress->tasks(), {.colour = ::isatty(STDOUT_FILENO) == 1});
    if (!stats.interrupted.empty()) {
      std::cout << "interrupted by " << stats.interrupted << ": unfinished tasks were cancelled\n";
      return interrupts.exit_code();
    }
    return stats.failure.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "dtf demo: " << e.what() << "\n";
    return 1;
  }
}

} // namespace dtf::app
