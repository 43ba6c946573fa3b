// `dtf trace generate`: writes a synthetic trace and a matching fleet -- the
// generator's, or one scenario family's as `dtf bench scheduling --families`
// runs it (--family), to replay with `dtf simulate`.
#include "actors/output/written_file.hpp"
#include "apps/dtf/command_options.hpp"
#include "apps/dtf/family_bench.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/simulation/scenario_families.hpp"
#include "scheduler/simulation/trace_generator.hpp"

#include <iostream>

namespace dtf::app {
namespace {

constexpr const char* trace_usage =
    "usage: dtf trace generate [--tasks N] [--workers N] [--arrivals batch|online] [--fleet-shape heterogeneous|cpu]\n"
    "                          [--seed S] [--out TRACE.jsonl] [--fleet-out FLEET.yaml]\n"
    "       dtf trace generate --family NAME [--tasks N] [--workers N] [--arrivals batch|online] [--load F]\n"
    "                          [--seed S] [--out TRACE.jsonl] [--fleet-out FLEET.yaml]\n"
    "Writes a synthetic trace (JSON Lines; stdout without --out) and, with --fleet-out, the matching fleet.\n"
    "--family: the scenario family's workload for that seed, as `dtf bench scheduling --families` runs it\n"
    "(drift, family_ratios, batch_scaling, scarce_memory, philly or new_models; stragglers and churn change\n"
    "the fleet over time, which a fleet file cannot say).\n";

void write_workload(const command_options& options, const trace& tasks, const std::vector<worker_capability>& fleet) {
  if (auto path = options.value("--out")) {
    auto out = open_for_writing(*path, "trace");
    write_trace(out, tasks);
    check_written(out, *path, "trace");
  } else {
    write_trace(std::cout, tasks);
    if (!stdout_written()) throw write_error("cannot write trace to stdout");  // before the summary says it was
  }
  if (auto path = options.value("--fleet-out")) {
    auto out = open_for_writing(*path, "fleet");
    write_fleet_yaml(out, fleet);
    check_written(out, *path, "fleet");
  }
}

arrival_pattern arrivals_option(const command_options& options, arrival_pattern fallback) {
  const auto a = options.value("--arrivals");
  if (!a) return fallback;
  if (*a == "batch") return arrival_pattern::batch;
  if (*a == "online") return arrival_pattern::online;
  throw input_error("", 0, "--arrivals", "expected batch or online, got '" + *a + "'");
}

/// --family: the bench's workload for one family, arrival pattern and seed.
int generate_family_workload(const command_options& options) {
  if (options.value("--fleet-shape")) throw input_error("", 0, "--fleet-shape", "is the generator's; --family sets its own fleet");
  family_options f;
  f.family = parse_family_option(*options.value("--family"));
  f.arrivals = arrivals_option(options, f.arrivals);
  f.tasks = options.count_value("--tasks", f.tasks, 1, max_generated_tasks);
  f.workers = options.count_value("--workers", f.workers, 0, max_fleet_workers);
  f.seed = options.unsigned_value("--seed", f.seed);
  if (auto load = options.value("--load")) f.offered_load = parse_load_option(*load);
  const auto workload = generate_family(f);
  if (!workload.dynamics.empty())
    throw input_error("", 0, "--family",
                      std::string{to_string(f.family)} +
                          " changes its fleet while it runs (workers slowing down, joining, leaving), which a fleet file cannot say: "
                          "run it with dtf bench scheduling --families");
  write_workload(options, workload.tasks, workload.fleet);
  std::cerr << "dtf trace: " << to_string(f.family) << (f.arrivals == arrival_pattern::batch ? " batch" : " online")
            << ", " << workload.tasks.tasks.size() << " tasks, " << workload.fleet.size() << " workers (seed " << f.seed
            << ")\n";
  if (workload.horizon_s > 0)
    std::cerr << "dtf trace: the bench stops observing at " << workload.horizon_s
              << " s and counts the tasks still running then as censored; dtf simulate runs every task to its end\n";
  return 0;
}

int generate(int argc, char** argv) {
  const command_options options(argc, argv, {"--help"},
                                {"--tasks", "--workers", "--arrivals", "--fleet-shape", "--seed", "--out", "--fleet-out",
                                 "--family", "--load"});
  if (options.has("--help")) {
    std::cout << trace_usage;
    return 0;
  }
  if (!options.positional().empty()) throw input_error("", 0, options.positional().front(), "unexpected argument");
  if (options.value("--family")) return generate_family_workload(options);
  if (options.value("--load")) throw input_error("", 0, "--load", "is for --family workloads");
  generator_options g;
  g.tasks = options.count_value("--tasks", g.tasks, 1, max_generated_tasks);
  g.workers = options.count_value("--workers", g.workers, 1, max_fleet_workers);
  g.seed = options.unsigned_value("--seed", g.seed);
  g.arrivals = arrivals_option(options, g.arrivals);
  if (auto f = options.value("--fleet-shape")) {
    if (*f == "heterogeneous") g.fleet = fleet_shape::heterogeneous;
    else if (*f == "cpu") g.fleet = fleet_shape::cpu_only;
    else throw input_error("", 0, "--fleet-shape", "expected heterogeneous or cpu, got '" + *f + "'");
  }
  const auto workload = generate_workload(g);
  write_workload(options, workload.tasks, workload.fleet);
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
