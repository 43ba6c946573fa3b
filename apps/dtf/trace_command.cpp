// `dtf trace generate`: writes a synthetic trace and a matching fleet.
#include "actors/output/written_file.hpp"
#include "apps/dtf/command_options.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/simulation/trace_generator.hpp"

#include <iostream>

namespace dtf::app {
namespace {

constexpr const char* trace_usage =
    "usage: dtf trace generate [--tasks N] [--workers N] [--arrivals batch|online] [--fleet-shape heterogeneous|cpu]\n"
    "                          [--seed S] [--out TRACE.jsonl] [--fleet-out FLEET.yaml]\n"
    "Writes a synthetic trace (JSON Lines; stdout without --out) and, with --fleet-out, the matching fleet.\n";

int generate(int argc, char** argv) {
  const command_options options(argc, argv, {"--help"},
                                {"--tasks", "--workers", "--arrivals", "--fleet-shape", "--seed", "--out", "--fleet-out"});
  if (options.has("--help")) {
    std::cout << trace_usage;
    return 0;
  }
  if (!options.positional().empty()) throw input_error("", 0, options.positional().front(), "unexpected argument");
  generator_options g;
  g.tasks = options.count_value("--tasks", g.tasks, 1, max_generated_tasks);
  g.workers = options.count_value("--workers", g.workers, 1, max_fleet_workers);
  g.seed = options.unsigned_value("--seed", g.seed);
  if (auto a = options.value("--arrivals")) {
    if (*a == "batch") g.arrivals = arrival_pattern::batch;
    else if (*a == "online") g.arrivals = arrival_pattern::online;
    else throw input_error("", 0, "--arrivals", "expected batch or online, got '" + *a + "'");
  }
  if (auto f = options.value("--fleet-shape")) {
    if (*f == "heterogeneous") g.fleet = fleet_shape::heterogeneous;
    else if (*f == "cpu") g.fleet = fleet_shape::cpu_only;
    else throw input_error("", 0, "--fleet-shape", "expected heterogeneous or cpu, got '" + *f + "'");
  }
  const auto workload = generate_workload(g);
  if (auto path = options.value("--out")) {
    auto out = open_for_writing(*path, "trace");
    write_trace(out, workload.tasks);
    check_written(out, *path, "trace");
  } else {
    write_trace(std::cout, workload.tasks);
    if (!stdout_written()) throw write_error("cannot write trace to stdout");  // before the summary says it was
  }
  if (auto path = options.value("--fleet-out")) {
    auto out = open_for_writing(*path, "fleet");
    write_fleet_yaml(out, workload.fleet);
    check_written(out, *path, "fleet");
  }
  std::cerr << "dtf trace: " << workload.tasks.tasks.size() << " tasks, " << workload.fleet.size()
            << " workers (seed " << g.seed << ")\n";
  return 0;
}

} // namespace

int trace_command(int argc, char** argv) {
  try {
    if (argc < 2 || std::string{argv[1]} == "--help") {
      std::cout << trace_usage;
      return argc < 2 ? 2 : 0;
    }
    if (std::string{argv[1]} == "generate") return generate(argc - 1, argv + 1);
    std::cerr << "dtf trace: unknown subcommand '" << argv[1] << "' (generate)\n";
    return 2;
  } catch (const input_error& e) {
    std::cerr << "dtf trace: " << e.what() << "\n";
    return 2;
  }
}

} // namespace dtf::app
