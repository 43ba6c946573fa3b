// `dtf bench scheduling`: every policy (and the ablations) on three scenarios,
// next to the lower bound; writes a Markdown table and SVG charts. With
// --families: the scenario families over seeds (family_bench.hpp).
// `dtf bench scale`: a million tasks on a thousand workers, and the scheduler's
// cost per decision at 10, 100 and 1,000 workers.
#include "actors/output/written_file.hpp"
#include "apps/dtf/command_options.hpp"
#include "apps/dtf/family_bench.hpp"
#include "apps/dtf/simulation_report.hpp"
#include "apps/dtf/svg_chart.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/simulation/policy_variants.hpp"
#include "scheduler/simulation/trace_generator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

namespace dtf::app {
namespace {

struct scenario {
  std::string name;
  generator_options generator;
  bool heterogeneous;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

const simulation_result& find(const std::vector<simulation_result>& results, const std::string& policy) {
  return *std::find_if(results.begin(), results.end(), [&](const auto& r) { return r.policy == policy; });
}

/// "target <= LIMIT: met" or "...: MISSED": the scale targets, said as measured.
std::string target_text(bool met, const char* limit) {
  return std::string{"target <= "} + limit + ": " + (met ? "met" : "MISSED");
}

/// The targets of the heterogeneous scenarios, as Markdown bullet lines.
std::string target_report(const scenario& s, const std::vector<simulation_result>& results) {
  std::ostringstream out;
  const auto& intelligent = find(results, "intelligent");
  for (const char* rival : {"seed", "round_robin", "least_loaded"}) {
    const auto& other = find(results, rival);
    for (auto [metric, mine, theirs] : {std::tuple{"makespan", intelligent.makespan_s, other.makespan_s},
                                        std::tuple{"mean completion", intelligent.mean_completion_s,
                                                   other.mean_completion_s}}) {
      const double gain = 100.0 * (theirs - mine) / theirs;
      out << "- " << (mine < theirs ? "met" : "MISSED") << ": intelligent " << metric << " " << fixed(mine, 0)
          << " s vs " << rival << " " << fixed(theirs, 0) << " s (" << (gain >= 0 ? "-" : "+") << fixed(std::abs(gain), 1)
          << " %)\n";
    }
  }
  if (s.generator.arrivals == arrival_pattern::batch)
    out << "- " << (intelligent.makespan_over_lower_bound <= 1.2 ? "met" : "MISSED")
        << ": intelligent makespan / lower bound = " << fixed(intelligent.makespan_over_lower_bound, 3)
        << " (target <= 1.2)\n";
  for (const char* ablation : {"intelligent-no-affinity", "intelligent-no-specialization", "intelligent-no-prediction",
                               "intelligent-no-backups", "intelligent-no-faster-copies", "intelligent-no-deferral",
                               "intelligent-no-scarcity", "intelligent-longest-first"}) {
    const auto& a = find(results, ablation);
    out << "- ablation " << ablation << ": makespan " << fixed(100.0 * (a.makespan_s / intelligent.makespan_s - 1), 1)
        << " %, mean completion " << fixed(100.0 * (a.mean_completion_s / intelligent.mean_completion_s - 1), 1)
        << " % vs intelligent\n";
  }
  return out.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  auto out = open_for_writing(path, "bench output");
  out << text;
  check_written(out, path, "bench output");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

/// `--families`: every policy on every scenario family, batch and online, over seeds.
int families(const command_options& options) {
  family_bench_options bench;
  bench.seeds = options.count_value("--seeds", 8, 1, max_bench_seeds);
  bench.tasks = options.count_value("--tasks", 600, 1, max_generated_tasks);
  bench.first_seed = options.unsigned_value("--seed", 1);
  bench.workers = options.count_value("--workers", 0, 0, max_fleet_workers);
  if (auto list = options.value("--family")) {
    bench.families.clear();
    for (const auto& name : split_list(*list)) bench.families.push_back(parse_family_option(name));
    if (bench.families.empty()) throw input_error("", 0, "--family", "names no family");
  }
  if (auto a = options.value("--arrivals")) {
    if (*a == "batch") bench.arrivals = {arrival_pattern::batch};
    else if (*a == "online") bench.arrivals = {arrival_pattern::online};
    else if (*a != "both") throw input_error("", 0, "--arrivals", "expected batch, online or both, got '" + *a + "'");
  }
  if (auto load = options.value("--load")) bench.offered_load = parse_load_option(*load);
  bench.policies = options.value("--policies") ? split_list(*options.value("--policies")) : policy_names();
  for (const auto& p : bench.policies)
    if (!resolve_policy_variant(p, scheduler_config{})) throw input_error("", 0, "--policies", "unknown policy '" + p + "'");
  check_family_bench_options(bench);

  // Made before the runs (hours, at many seeds): a bad --out fails at once.
  const std::filesystem::path dir = options.value("--out").value_or("bench-results");
  std::filesystem::create_directories(dir);
  const bool json = options.has("--json");
  std::ostream& progress = json ? std::cerr : std::cout;
  progress << "scenario families: " << bench.families.size() * bench.arrivals.size() << " scenarios, seeds "
           << bench.first_seed << "-" << bench.first_seed + bench.seeds - 1 << ", " << bench.tasks << " tasks, " << bench.policies.size() << " policies\n";
  bench.record_timelines = options.has("--timelines");
  if (bench.record_timelines) std::filesystem::create_directories(dir / "timelines");
  const auto result = run_family_bench(bench, &progress);
  std::ostringstream md;
  md << "# Scheduling benchmark: scenario families\n\n`dtf bench scheduling --families`, " << bench.tasks
     << " tasks, seeds " << bench.first_seed << "-" << bench.first_seed + bench.seeds - 1 << ", online load " << fixed(bench.offered_load, 2)
     << ". Per policy: geometric means over seeds (x LB = makespan / certified lower bound, n/a where tasks were "
        "censored), wasted = cancelled attempts' slot time / busy slot time, p90 cal. = runs at or under their "
        "predicted p90; `W-L ratio` = intelligent's wins-losses over seeds against the policy and the geometric "
        "mean of intelligent's value / the policy's (below 1: intelligent better); the 95 % interval of "
        "intelligent / best other policy is Student's t on the log ratios over seeds (a ratio whose interval spans "
        "1 is within the seed-to-seed spread).\n";
  print_family_tables(md, result, true);
  write_file(dir / "families.md", md.str());
  const auto document = to_json(result);
  write_file(dir / "families.json", document.dump(2) + "\n");
  // One file per scenario and seed: which task ran where under each policy, as `dtf simulate --timeline` writes it.
  if (bench.record_timelines)
    for (const auto& s : result.scenarios)
      for (std::size_t k = 0; k < s.seeds.size(); ++k) {
        std::ostringstream csv;
        write_timeline_csv(csv, s.results[k]);
        write_file(dir / "timelines" / (s.name + "-" + std::to_string(s.seeds[k]) + ".csv"), csv.str());
      }
  if (json) {
    std::cout << document.dump(2) << "\n";
  } else {
    print_family_tables(std::cout, result, false);
    std::cout << "wrote " << (dir / "families.md").string() << ", families.json"
              << (bench.record_timelines ? ", timelines/SCENARIO-SEED.csv" : "") << "\n";
  }
  return 0;
}

int scheduling(int argc, char** argv) {
  const command_options options(argc, argv, {"--help", "--families", "--json", "--timelines"},
                                {"--out", "--tasks", "--workers", "--seed", "--seeds", "--family", "--arrivals",
                                 "--load", "--policies"});
  if (options.has("--help")) {
    std::cout << "usage: dtf bench scheduling [--out DIR] [--tasks N] [--workers N] [--seed S]\n"
                 "       dtf bench scheduling --families [--seeds N] [--seed FIRST] [--workers N] [--family NAME[,NAME...]] [--arrivals batch|online|both]\n"
                 "                            [--tasks N] [--load F] [--policies P[,P...]] [--json] [--timelines] [--out DIR]\n"
                 "families: drift, family_ratios, batch_scaling, scarce_memory, philly, stragglers, churn, new_models\n";
    return 0;
  }
  if (options.has("--families")) return families(options);
  for (const char* families_only : {"--seeds", "--family", "--arrivals", "--load", "--policies", "--json", "--timelines"})
    if (options.has(families_only)) throw input_error("", 0, families_only, "only with --families");
  const std::filesystem::path dir = options.value("--out").value_or("bench-results");
  std::filesystem::create_directories(dir);
  generator_options base;
  base.tasks = options.count_value("--tasks", 2000, 1, max_generated_tasks);
  base.workers = options.count_value("--workers", 20, 1, max_fleet_workers);
  base.seed = options.unsigned_value("--seed", 1);
  std::vector<scenario> scenarios;
  scenarios.push_back({"heterogeneous-batch", base, true});
  scenarios.push_back({"heterogeneous-online", base, true});
  scenarios.back().generator.arrivals = arrival_pattern::online;
  scenarios.push_back({"cpu-homogeneous-batch", base, false});
  scenarios.back().generator.fleet = fleet_shape::cpu_only;

  const auto policies = simulation_policy_names();
  std::ostringstream md;
  md << "# Scheduling benchmark\n\n" << base.tasks << " tasks per scenario, " << base.workers
     << " workers, generator seed " << base.seed << " (`dtf bench scheduling`). Makespan and times in seconds of "
     << "simulated time; `x LB` = makespan / lower bound; us/decision is CPU time inside schedule().\n";
  std::vector<bar_series> makespan_series, completion_series;
  for (const auto& s : scenarios) {
    const auto started = std::chrono::steady_clock::now();
    const auto workload = generate_workload(s.generator);
    simulation_options sim;
    auto results = simulate_policies(workload.tasks, workload.fleet, policies, sim);
    std::cout << "\n== " << s.name << " (" << workload.tasks.tasks.size() << " tasks, " << workload.fleet.size()
              << " workers, lower bound " << fixed(results.front().lower_bound.value_s, 0) << " s, "
              << fixed(seconds_since(started), 1) << " s to run)\n";
    print_table(std::cout, results, false);
    md << "\n## " << s.name << "\n\n" << workload.tasks.tasks.size() << " tasks, " << workload.fleet.size()
       << " workers, lower bound " << fixed(results.front().lower_bound.value_s, 0) << " s (longest task "
       << fixed(results.front().lower_bound.longest_task_s, 0) << ", work/slots "
       << fixed(results.front().lower_bound.work_over_slots_s, 0) << ", LP " << fixed(results.front().lower_bound.lp_s, 0)
       << ").\n\n";
    print_table(md, results, true);
    if (s.heterogeneous) {
      const auto targets = target_report(s, results);
      md << "\n" << targets;
      std::cout << targets;
    }
    bar_series makespan{s.name, {}}, completion{s.name, {}};
    double best_completion = results.front().mean_completion_s;
    for (const auto& r : results) best_completion = std::min(best_completion, r.mean_completion_s);
    for (const auto& r : results) {
      makespan.values.push_back(r.makespan_over_lower_bound);
      completion.values.push_back(best_completion > 0 ? r.mean_completion_s / best_completion : 0.0);
    }
    makespan_series.push_back(makespan);
    completion_series.push_back(completion);

    if (s.name == "heterogeneous-batch") {
      sim.policy = "intelligent";
      sim.record_timeline = true;
      sim.compute_lower_bound = false;
      auto run = simulate(workload.tasks, workload.fleet, sim);
      std::map<std::string, std::string> model;
      for (const auto& t : workload.tasks.tasks) model.emplace(t.spec.id, t.spec.model);
      std::vector<std::string> ids;
      for (const auto& w : workload.fleet) ids.push_back(w.id);
      write_file(dir / "timeline.svg", timeline_svg("intelligent on " + s.name + ": which task ran where", run, ids,
                                                     [&](const std::string& id) { return model.at(id); }));
    }
  }
  write_file(dir / "makespan.svg",
             bar_chart_svg("Makespan / lower bound per policy (lower is better)", "makespan / lower bound", policies,
                           makespan_series));
  write_file(dir / "mean_completion.svg",
             bar_chart_svg("Mean completion time / best policy's (lower is better)", "relative mean completion",
                           policies, completion_series));
  md << "\nCharts: `makespan.svg`, `mean_completion.svg`, `timeline.svg` (intelligent on heterogeneous-batch).\n";
  write_file(dir / "scheduling.md", md.str());
  std::cout << "\nwrote " << (dir / "scheduling.md").string() << ", makespan.svg, mean_completion.svg, timeline.svg\n";
  return 0;
}

int scale(int argc, char** argv) {
  const command_options options(argc, argv, {"--help", "--batch"}, {"--tasks", "--workers", "--seed", "--policy", "--tasks-per-worker"});
  if (options.has("--help")) {
    std::cout << "usage: dtf bench scale [--tasks N] [--workers N] [--seed S] [--policy P] [--batch] [--tasks-per-worker N]\n"
                 "--tasks 0 skips the large run; --tasks-per-worker sizes the cost-per-decision runs (default 20).\n";
    return 0;
  }
  generator_options g;
  g.tasks = options.count_value("--tasks", 1'000'000, 0, max_generated_tasks);
  g.workers = options.count_value("--workers", 1000, 1, max_fleet_workers);
  g.seed = options.unsigned_value("--seed", 1);
  g.arrivals = options.has("--batch") ? arrival_pattern::batch : arrival_pattern::online;
  simulation_options sim;
  sim.policy = options.value("--policy").value_or("intelligent");
  if (!resolve_policy_variant(sim.policy, sim.config)) throw input_error("", 0, "--policy", "unknown policy");
  sim.compute_lower_bound = false;

  // The largest cost-per-decision run has 1,000 workers.
  const auto per_worker = options.count_value("--tasks-per-worker", 20, 1, max_generated_tasks / 1000);
  if (g.tasks > 0) {
    auto started = std::chrono::steady_clock::now();
    auto workload = generate_workload(g);
    const double generate_s = seconds_since(started);
    started = std::chrono::steady_clock::now();
    const std::clock_t cpu_started = std::clock();
    const auto r = simulate(workload.tasks, workload.fleet, sim);
    const double simulate_s = seconds_since(started);
    const double simulate_cpu_s = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
    std::cout << "scale: " << r.tasks << " tasks (" << (g.arrivals == arrival_pattern::batch ? "batch" : "online")
              << ") on " << r.workers << " workers, policy " << r.policy << "\n"
              << "  generate " << fixed(generate_s, 2) << " s, simulate " << fixed(simulate_s, 2)
              << " s wall, " << fixed(simulate_cpu_s, 2)
              << " s CPU" << (g.tasks == 1'000'000 && g.workers == 1000 ? " (" + target_text(simulate_cpu_s <= 30.0, "30 s") + ")" : "")
              << ", of which schedule() " << fixed(r.scheduler_total_s, 2) << " s CPU\n"
              << "  " << r.decisions << " decisions, " << fixed(r.scheduler_us_per_decision, 2) << " us per decision; "
              << "makespan " << fixed(r.makespan_s, 0) << " s, mean completion " << fixed(r.mean_completion_s, 0)
              << " s\n";
  }
  std::cout << "cost per decision (" << sim.policy << ", online arrivals, " << per_worker << " tasks per worker):\n";
  for (std::size_t workers : {10, 100, 1000}) {
    generator_options small = g;
    small.workers = workers;
    small.tasks = per_worker * workers;
    const auto w = generate_workload(small);
    const auto run = simulate(w.tasks, w.fleet, sim);
    std::cout << "  " << workers << " workers: " << fixed(run.scheduler_us_per_decision, 2) << " us per decision ("
              << run.decisions << " decisions"
              << (workers == 1000 ? "; " + target_text(run.scheduler_us_per_decision <= 5.0, "5 us") : "") << ")\n";
  }
  return 0;
}

} // namespace

int cluster_bench(int argc, char** argv);  // apps/dtf/cluster_bench.cpp
int runtime_bench(int argc, char** argv);  // apps/dtf/runtime_bench.cpp

int bench_command(int argc, char** argv) {
  try {
    const std::string sub = argc >= 2 ? argv[1] : "";
    if (sub == "scheduling") return scheduling(argc - 1, argv + 1);
    if (sub == "scale") return scale(argc - 1, argv + 1);
    if (sub == "cluster") return cluster_bench(argc - 1, argv + 1);
    if (sub == "runtime") return runtime_bench(argc - 1, argv + 1);
    std::cerr << "usage: dtf bench scheduling [--out DIR] | dtf bench scale [--tasks N] [--workers N] | "
                 "dtf bench cluster --coordinator HOST:PORT | dtf bench runtime [--commands N] [--queued Q]\n";
    return sub == "--help" ? 0 : 2;
  } catch (const input_error& e) {
    std::cerr << "dtf bench: " << e.what() << "\n";
    return 2;
  }
}

} // namespace dtf::app
