// `dtf simulate`: replays a trace on a fleet with one policy or all of them.
#include "actors/output/written_file.hpp"
#include "apps/dtf/command_options.hpp"
#include "apps/dtf/option_table.hpp"
#include "apps/dtf/scheduling_options.hpp"
#include "apps/dtf/simulation_report.hpp"
#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/simulation/policy_variants.hpp"

#include <iostream>

namespace dtf::app {
namespace {

void print_usage(std::ostream& out) {
  out << "usage: dtf simulate --trace TRACE.jsonl --fleet FLEET.yaml [--policy P|all] [--seed S] [--json]\n"
         "                    [--timeline FILE.csv] [--warm-models N] [--no-lower-bound]\n"
         "policies:";
  for (const auto& name : simulation_policy_names()) out << ' ' << name;
  out << "\n" << scheduling_switches_help;
}

int run(int argc, char** argv) {
  simulation_options sim;
  argument_vector rest{take_scheduling_switches(argc, argv, sim.config)};
  argc = rest.argc();
  argv = rest.argv();
  const command_options options(argc, argv, {"--help", "--json", "--no-lower-bound"},
                                {"--trace", "--fleet", "--policy", "--seed", "--timeline", "--warm-models"});
  if (options.has("--help")) {
    print_usage(std::cout);
    return 0;
  }
  if (!options.positional().empty()) throw input_error("", 0, options.positional().front(), "unexpected argument");
  const auto trace_path = options.value("--trace");
  const auto fleet_path = options.value("--fleet");
  if (!trace_path) throw input_error("", 0, "--trace", "missing: which trace to replay");
  if (!fleet_path) throw input_error("", 0, "--fleet", "missing: which fleet to replay it on");

  sim.config.seed = options.unsigned_value("--seed", sim.config.seed);
  sim.warm_models_per_worker = options.unsigned_value("--warm-models", sim.warm_models_per_worker);
  sim.compute_lower_bound = !options.has("--no-lower-bound");
  sim.record_timeline = options.has("--timeline");
  const std::string policy = options.value("--policy").value_or("intelligent");
  std::vector<std::string> policies;
  if (policy == "all") {
    policies = simulation_policy_names();
  } else {
    if (!resolve_policy_variant(policy, sim.config)) {
      std::string known;
      for (const auto& name : simulation_policy_names()) known += (known.empty() ? "" : ", ") + name;
      throw input_error("", 0, "--policy", "unknown policy '" + policy + "' (" + known + ", all)");
    }
    policies = {policy};
  }

  const auto tasks = read_trace(*trace_path);
  const auto fleet = parse_fleet_file(*fleet_path);
  if (tasks.tasks.empty()) throw input_error(*trace_path, 0, "", "the trace has no tasks");
  const auto results = simulate_policies(tasks, fleet, policies, sim);

  if (auto path = options.value("--timeline")) {
    auto out = open_for_writing(*path, "timeline");
    write_timeline_csv(out, results);
    check_written(out, *path, "timeline");
  }
  if (options.has("--json")) {
    if (results.size() == 1) {
      std::cout << to_json(results.front()).dump(2) << "\n";
    } else {
      auto all = nlohmann::ordered_json::array();
      for (const auto& r : results) all.push_back(to_json(r));
      std::cout << all.dump(2) << "\n";
    }
  } else if (results.size() == 1) {
    print_result(std::cout, results.front());
  } else {
    std::cout << tasks.tasks.size() << " tasks on " << fleet.size() << " workers; lower bound "
              << results.front().lower_bound.value_s << " s\n";
    print_table(std::cout, results, false);
  }
  return 0;
}

} // namespace

int simulate_command(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const input_error& e) {
    std::cerr << "dtf simulate: " << e.what() << "\n";
    return 2;
  }
}

} // namespace dtf::app
