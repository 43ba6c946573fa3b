// `dtf plan SUITE --fleet FLEET`: schedules a suite onto a fleet of emulated
// workers in predicted time (scheduler/simulation/dry_run_plan.hpp) and prints which task
// goes where, when, and why.
#include "hw/probe.hpp"
#include "apps/dtf/option_table.hpp"
#include "apps/dtf/scheduling_options.hpp"
#include "scheduler/model/worker_slots.hpp"
#include "scheduler/simulation/dry_run_plan.hpp"
#include "scheduler/model/duration_text.hpp"
#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/output/explanation_json.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/output/stats_json.hpp"
#include "scheduler/input/suite_parser.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dtf::app {
namespace {

constexpr const char* plan_usage =
    "usage: dtf plan SUITE (--fleet FLEET | --topology FILE.xml)... [--json] [--explain TASK_ID]\n"
    "                [--max-tasks-per-worker N] [--policy NAME] [--max-tasks N]\n"
    "  SUITE                     suite file (YAML or JSON): tasks, defaults, matrix\n"
    "  --fleet FLEET             fleet file (YAML or JSON) of emulated workers\n"
    "  --topology FILE.xml       also the workers `dtf probe --topology FILE.xml` lists (GPU partitions included)\n"
    "  --json                    print {\"assignments\":[..],\"pending\":[..],\"stats\":{..}} instead of tables\n"
    "  --explain TASK_ID         show every candidate worker's score terms for one task, and the winner\n"
    "  --max-tasks-per-worker N  concurrent tasks per worker unless the fleet sets slots (default 2)\n"
    "  --policy NAME             placement policy (default intelligent)\n"
    "  --max-tasks N             most tasks the suite may expand to (default 1000000)\n"
    "Plans wave by wave in predicted time: every placeable task gets a worker and a predicted start;\n"
    "tasks no worker can run are listed with each worker's reason.\n"
    "Exit 0 when every task is planned, 1 when a task is left unplaceable (as dtf run), 2 for bad input.\n"
    "exit codes: 0 planned, 2 bad input (one line on stderr naming file and field)\n";

struct plan_options {
  std::string suite_path;
  std::string fleet_path;
  std::string topology_path;
  bool json = false;
  std::optional<std::string> explain_task;
  std::optional<int> max_tasks_per_worker;
  std::string policy = "intelligent";
  suite_options suite_limits;
};

/// Bad usage or input: one line on stderr, exit code 2.
struct usage_error {
  std::string message;
};

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

plan_options parse_arguments(int argc, char** argv) {
  plan_options options;
  const auto value_of = [&](int& i, const std::string& flag) -> std::string {
    if (i + 1 >= argc) throw usage_error{flag + " needs a value (see dtf plan --help)"};
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fleet") {
      options.fleet_path = value_of(i, arg);
    } else if (arg == "--topology") {
      options.topology_path = value_of(i, arg);
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--explain") {
      options.explain_task = value_of(i, arg);
    } else if (arg == "--policy") {
      options.policy = value_of(i, arg);
    } else if (arg == "--max-tasks-per-worker") {
      const std::string text = value_of(i, arg);
      int value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc{} || end != text.data() + text.size() || value < 1 || value > max_worker_slots)
        throw usage_error{"--max-tasks-per-worker takes a whole number from 1 to " + std::to_string(max_worker_slots) +
                          ", got '" + text + "'"};
      options.max_tasks_per_worker = value;
    } else if (arg == "--max-tasks") {
      const std::string text = value_of(i, arg);
      std::size_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc{} || end != text.data() + text.size() || value < 1)
        throw usage_error{"--max-tasks takes a whole number >= 1, got " + quoted_value(text)};
      options.suite_limits.max_tasks = value;
    } else if (!arg.empty() && arg[0] == '-') {
      throw usage_error{"unknown option '" + arg + "' (see dtf plan --help)"};
    } else if (options.suite_path.empty()) {
      options.suite_path = arg;
    } else {
      throw usage_error{"unexpected argument '" + arg + "': plan takes one suite file (see dtf plan --help)"};
    }
  }
  if (options.suite_path.empty()) throw usage_error{"plan needs a suite file (see dtf plan --help)"};
  if (options.fleet_path.empty() && options.topology_path.empty())
    throw usage_error{"plan needs --fleet FLEET or --topology FILE.xml (see dtf plan --help)"};
  const auto names = policy_names();
  if (std::find(names.begin(), names.end(), options.policy) == names.end()) {
    std::string known;
    for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
    throw usage_error{"unknown policy '" + options.policy + "' (known: " + known + ")"};
  }
  return options;
}

double finite(double value) { return std::isfinite(value) ? value : 0.0; }

/// Fixed digits; `signed_text` adds '+' to non-negative values. Never prints "-0.00".
std::string fixed(double value, int digits, bool signed_text = false) {
  value = finite(value);
  if (std::fabs(value) < 0.5 * std::pow(10.0, -digits)) value = 0.0;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, signed_text ? "%+.*f" : "%.*f", digits, value);
  return buffer;
}

/// Left-aligned columns separated by two spaces.
void print_rows(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const std::string& indent = "") {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

void print_explanation(std::ostream& out, const decision_explanation& why) {
  out << "\nexplain " << why.task_id << " (policy " << why.policy << "): " << why.outcome;
  if (why.winner) out << " -> " << *why.winner;
  out << "\n";
  std::vector<const candidate_explanation*> feasible;
  for (const auto& c : why.candidates)
    if (c.feasible) feasible.push_back(&c);
  if (!feasible.empty()) {
    // One row per term, one column per feasible worker: normalized value and (weighted contribution).
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header{"term", "weight"};
    for (const auto* c : feasible) header.push_back(c->worker_id + (why.winner == c->worker_id ? " *" : ""));
    rows.push_back(header);
    std::vector<std::string> names;
    std::map<std::string, double> weights;
    for (const auto* c : feasible)
      for (const auto& t : c->terms)
        if (weights.emplace(t.name, t.weight).second) names.push_back(t.name);
    for (const auto& name : names) {
      std::vector<std::string> row{name, fixed(weights[name], 2)};
      for (const auto* c : feasible) {
        const auto term = std::find_if(c->terms.begin(), c->terms.end(), [&](const auto& t) { return t.name == name; });
        row.push_back(term == c->terms.end() ? "-"
                                             : fixed(term->value, 3) + " (" + fixed(term->contribution, 2, true) + ")");
      }
      rows.push_back(std::move(row));
    }
    std::vector<std::string> total{"total", ""}, predicted{"predicted", ""}, slot{"free slot", ""};
    for (const auto* c : feasible) {
      total.push_back(fixed(c->total, 3));
      predicted.push_back(format_duration(c->predicted_duration_s));
      slot.push_back(c->has_free_slot ? "yes" : "no");
    }
    rows.push_back(std::move(total));
    rows.push_back(std::move(predicted));
    rows.push_back(std::move(slot));
    print_rows(out, rows, "  ");
  }
  for (const auto& c : why.candidates)
    if (!c.feasible) out << "  " << c.worker_id << ": not feasible: " << c.rejection << "\n";
}

template <class Map>
std::string counts_text(const Map& counts) {
  std::string text;
  for (const auto& [name, count] : counts) text += (text.empty() ? "" : ", ") + name + " " + std::to_string(count);
  return text.empty() ? "-" : text;
}

void print_stats_summary(std::ostream& out, const scheduler_stats& stats, const dry_run_plan& plan) {
  out << "\nstats\n";
  out << "  tasks by status:  " << counts_text(stats.tasks_by_status) << "\n";
  out << "  model families:   " << counts_text(stats.model_family_distribution) << "\n";
  out << "  decisions:        " << stats.decisions << " placements, " << stats.deferrals << " deferrals\n";
  out << "  affinity:         " << stats.affinity.same_model_hits << " same-model and " << stats.affinity.same_family_hits
      << " same-family placements of " << stats.affinity.placements << " with a model\n";
  // Per worker, from the plan: tasks placed and predicted busy time over the makespan.
  std::vector<std::vector<std::string>> rows{{"worker", "slots", "tasks", "predicted busy", "busy fraction"}};
  for (const auto& w : stats.workers) {
    std::size_t tasks = 0;
    double busy_s = 0.0;
    for (const auto& a : plan.assignments)
      if (a.worker_id == w.worker_id) ++tasks, busy_s += a.predicted_duration_s;
    const double capacity_s = static_cast<double>(std::max(1, w.slots)) * plan.makespan_s;
    rows.push_back({w.worker_id, std::to_string(w.slots), std::to_string(tasks), format_duration(busy_s),
                    fixed(capacity_s > 0 ? busy_s / capacity_s : 0.0, 2)});
  }
  print_rows(out, rows, "  ");
}

} // namespace

int plan_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      std::cout << plan_usage << scheduling_switches_help;
      return 0;
    }
  plan_options options;
  suite parsed;
  std::vector<worker_capability> fleet;
  scheduler_config config;
  try {
    argument_vector rest{take_scheduling_switches(argc, argv, config)};
    options = parse_arguments(rest.argc(), rest.argv());
    parsed = parse_suite_file(options.suite_path, options.suite_limits);
    if (!options.fleet_path.empty()) fleet = parse_fleet_file(options.fleet_path);
    if (!options.topology_path.empty()) {
      hw::probe_options probe;
      probe.topology_xml = options.topology_path;
      for (auto& w : hw::probe_workers(probe)) {  // planned, never run: emulated like a fleet's
        if (std::any_of(fleet.begin(), fleet.end(), [&](const worker_capability& f) { return f.id == w.id; }))
          throw usage_error{"worker id '" + w.id + "' of " + options.topology_path + " is also in " + options.fleet_path};
        w.emulated = true;
        fleet.push_back(std::move(w));
      }
    }
  } catch (const usage_error& e) {
    std::cerr << "dtf plan: " << message_text(e.message, 1024) << "\n";
    return 2;
  } catch (const input_error& e) {
    std::cerr << "dtf: " << one_line(e.what()) << "\n";
    return 2;
  }
  if (options.explain_task &&
      std::none_of(parsed.tasks.begin(), parsed.tasks.end(), [&](const task& t) { return t.id == *options.explain_task; })) {
    std::cerr << "dtf plan: --explain: no task '" << *options.explain_task << "' in " << options.suite_path << " ("
              << parsed.tasks.size() << " tasks; see the ids in the plan)\n";
    return 2;
  }

  try {
    if (options.max_tasks_per_worker) config.max_tasks_per_worker = *options.max_tasks_per_worker;
    config.keep_explanations = std::max<std::size_t>(1024, parsed.tasks.size() * 4);
    scheduler_core core(config, make_policy(options.policy, config));
    for (const auto& w : fleet) core.add_worker(w);
    for (const auto& t : parsed.tasks) core.submit(t, 0.0);
    const dry_run_plan plan = plan_in_predicted_time(core, parsed.tasks);

    std::optional<decision_explanation> explanation;
    if (options.explain_task) {
      explanation = core.explanation(*options.explain_task);
      if (!explanation) {
        const auto t = std::find_if(parsed.tasks.begin(), parsed.tasks.end(),
                                    [&](const task& candidate) { return candidate.id == *options.explain_task; });
        explanation = core.explain_now(*t, 0.0);
      }
    }
    const scheduler_stats stats = plan_statistics(core, plan, parsed.tasks);
    const int exit_code = plan.pending.empty() ? 0 : 1;  // as dtf run: a task no worker can run fails the suite

    if (options.json) {
      using json = nlohmann::ordered_json;  // fields in the documented order
      json out{{"assignments", json::array()}, {"pending", json::array()}, {"stats", json(to_json(stats))}};
      for (const auto& a : plan.assignments)
        out["assignments"].push_back({{"task", a.task_id},
                                      {"worker", a.worker_id},
                                      {"score", finite(a.score)},
                                      {"start_s", finite(a.start_s)},
                                      {"predicted_s", finite(a.predicted_duration_s)}});
      for (const auto& p : plan.pending) {
        json reasons = json::object();
        for (const auto& [worker, reason] : p.reasons) reasons[worker] = reason;
        out["pending"].push_back({{"task", p.task_id}, {"reasons", std::move(reasons)}});
      }
      if (explanation) out["explain"] = explanation_json(*explanation);
      std::cout << out.dump(2) << "\n";
      return exit_code;
    }

    std::cout << "plan: suite " << parsed.name << ", " << parsed.tasks.size() << " tasks on " << fleet.size()
              << " workers, policy " << options.policy << "\n\n";
    std::vector<std::vector<std::string>> rows{{"task", "worker", "predicted start", "predicted duration", "score"}};
    for (const auto& a : plan.assignments)
      rows.push_back({a.task_id, a.worker_id, format_duration(a.start_s), format_duration(a.predicted_duration_s),
                      fixed(a.score, 3)});
    print_rows(std::cout, rows);
    std::cout << "\n" << plan.assignments.size() << " of " << parsed.tasks.size()
              << " tasks planned, predicted makespan " << format_duration(plan.makespan_s) << "\n";
    if (!plan.pending.empty()) {
      std::cout << "\nunplaceable (" << plan.pending.size() << "):\n";
      for (const auto& p : plan.pending) {
        std::cout << "  " << p.task_id << "\n";
        for (const auto& [worker, reason] : p.reasons) std::cout << "    " << worker << ": " << reason << "\n";
      }
    }
    print_stats_summary(std::cout, stats, plan);
    if (explanation) print_explanation(std::cout, *explanation);
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "dtf plan: " << one_line(e.what()) << "\n";
    return 1;
  }
}

} // namespace dtf::app
