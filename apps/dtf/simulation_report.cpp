#include "apps/dtf/simulation_report.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace dtf::app {
namespace {

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string percent(double fraction) { return fixed(100.0 * fraction, 1) + " %"; }

/// Right-aligned columns (the first left-aligned); rows[0] is the header.
void print_aligned(std::ostream& out, const std::vector<std::vector<std::string>>& rows, bool markdown) {
  std::vector<std::size_t> width(rows.front().size());
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const std::string pad(width[c] - rows[r][c].size(), ' ');
      if (markdown) out << "| ";
      else if (c) out << "  ";
      out << (c == 0 ? rows[r][c] + pad : pad + rows[r][c]);
      if (markdown) out << ' ';
    }
    out << (markdown ? "|\n" : "\n");
    if (markdown && r == 0) {
      for (std::size_t c = 0; c < width.size(); ++c)
        out << "|" << (c ? std::string(width[c] + 1, '-') + ":" : std::string(width[c] + 2, '-'));
      out << "|\n";
    }
  }
}

} // namespace

nlohmann::ordered_json to_json(const simulation_result& r) {
  nlohmann::ordered_json j;
  j["policy"] = r.policy;
  j["tasks"] = r.tasks;
  j["workers"] = r.workers;
  j["completed"] = r.completed;
  j["unscheduled"] = r.unscheduled;
  j["makespan_s"] = r.makespan_s;
  j["mean_completion_s"] = r.mean_completion_s;
  j["p95_completion_s"] = r.p95_completion_s;
  j["mean_wait_s"] = r.mean_wait_s;
  j["utilization"] = r.utilization;
  j["load_time_s"] = r.load_time_s;
  j["affinity_hit_rate"] = r.affinity_hit_rate;
  j["predictor_mape"] = r.predictor_mape;
  j["predictor_mape_after_warmup"] = r.predictor_mape_after_warmup;
  j["decisions"] = r.decisions;
  j["backups_started"] = r.backups_started;
  j["backups_won"] = r.backups_won;
  j["backup_wasted_s"] = r.backup_wasted_s;
  j["probes_started"] = r.probes_started;
  j["probes_cut"] = r.probes_cut;
  j["probe_cut_s"] = r.probe_cut_s;
  j["busy_slot_s"] = r.busy_slot_s;
  j["lost_to_churn_s"] = r.lost_to_churn_s;
  j["priority_weighted_completion_s"] = r.priority_weighted_completion_s;
  j["censored"] = r.censored;
  j["p90_calibration"] = r.p90_calibration ? nlohmann::ordered_json(*r.p90_calibration) : nullptr;
  j["prediction_rank_correlation"] =
      r.prediction_rank_correlation ? nlohmann::ordered_json(*r.prediction_rank_correlation) : nullptr;
  j["scheduler_us_per_decision"] = r.scheduler_us_per_decision;
  j["lower_bound"] = r.lower_bound.value_s;
  j["lower_bound_parts"] = {{"longest_task_s", r.lower_bound.longest_task_s},
                            {"work_over_slots_s", r.lower_bound.work_over_slots_s},
                            {"lp_s", r.lower_bound.lp_s},
                            {"lp_task_classes", r.lower_bound.lp_task_classes},
                            {"lp_rounding", r.lower_bound.lp_rounding}};
  j["makespan_over_lower_bound"] = r.makespan_over_lower_bound;
  return j;
}

void print_result(std::ostream& out, const simulation_result& r) {
  out << "policy              " << r.policy << "\n"
      << "tasks               " << r.tasks << " (completed " << r.completed << ", never placed " << r.unscheduled
      << ")\n"
      << "workers             " << r.workers << "\n"
      << "makespan            " << fixed(r.makespan_s, 1) << " s";
  if (r.lower_bound.value_s > 0)
    out << "  (lower bound " << fixed(r.lower_bound.value_s, 1) << " s, ratio " << fixed(r.makespan_over_lower_bound, 3)
        << ")";
  out << "\n"
      << "mean completion     " << fixed(r.mean_completion_s, 1) << " s\n"
      << "p95 completion      " << fixed(r.p95_completion_s, 1) << " s\n"
      << "mean wait           " << fixed(r.mean_wait_s, 1) << " s\n"
      << "utilization         " << percent(r.utilization) << "\n"
      << "model loading       " << fixed(r.load_time_s, 1) << " s\n"
      << "affinity hit rate   " << percent(r.affinity_hit_rate) << "\n"
      << "predictor MAPE      " << percent(r.predictor_mape) << " (after warm-up " << percent(r.predictor_mape_after_warmup)
      << ")\n"
      << "predictor ranking   "
      << (r.prediction_rank_correlation ? fixed(*r.prediction_rank_correlation, 2) : std::string{"n/a"})
      << " (rank correlation of predicted and measured run times after warm-up)\n"
      << "scheduler cost      " << fixed(r.scheduler_us_per_decision, 2) << " us per decision (" << r.decisions
      << " decisions)\n"
      << "backup attempts     " << r.backups_started << " started, " << r.backups_won << " won, "
      << fixed(r.backup_wasted_s, 1) << " s of slot time spent on losers\n"
      << "probes              " << r.probes_started << " started, " << r.probes_cut << " cut off, "
      << fixed(r.probe_cut_s, 1) << " s of slot time cut off\n";
}

void print_table(std::ostream& out, const std::vector<simulation_result>& results, bool markdown) {
  std::vector<std::vector<std::string>> rows{{"policy", "makespan s", "x LB", "mean compl. s", "p95 compl. s",
                                              "mean wait s", "util.", "loading s", "warm hits", "MAPE", "MAPE warm",
                                              "backups", "us/decision"}};
  for (const auto& r : results)
    rows.push_back({r.policy, fixed(r.makespan_s, 0), fixed(r.makespan_over_lower_bound, 3),
                    fixed(r.mean_completion_s, 0), fixed(r.p95_completion_s, 0), fixed(r.mean_wait_s, 0),
                    percent(r.utilization), fixed(r.load_time_s, 0), percent(r.affinity_hit_rate),
                    percent(r.predictor_mape), percent(r.predictor_mape_after_warmup),
                    std::to_string(r.backups_won) + "/" + std::to_string(r.backups_started),
                    fixed(r.scheduler_us_per_decision, 2)});
  print_aligned(out, rows, markdown);
}

void write_timeline_csv(std::ostream& out, const std::vector<simulation_result>& results) {
  out << "policy,task,worker,arrival_s,start_s,end_s,load_s,predicted_s,attempt,cancelled\n";
  for (const auto& r : results)
    for (const auto& e : r.timeline)
      out << r.policy << ',' << e.task_id << ',' << e.worker_id << ',' << fixed(e.arrival_s, 3) << ','
          << fixed(e.start_s, 3) << ',' << fixed(e.end_s, 3) << ',' << fixed(e.load_s, 3) << ','
          << fixed(e.predicted_s, 3) << ',' << (e.backup ? "backup" : "first") << ',' << (e.cancelled ? 1 : 0)
          << '\n';
}

std::vector<simulation_result> simulate_policies(const trace& tasks, const std::vector<worker_capability>& fleet,
                                                 const std::vector<std::string>& policies,
                                                 const simulation_options& base, const fleet_dynamics& dynamics) {
  lower_bound_result bound;
  if (base.compute_lower_bound)
    bound = compute_lower_bound(make_lower_bound_instance(tasks, fleet, base.config), base.lower_bound);
  std::vector<simulation_result> results;
  for (const auto& policy : policies) {
    auto options = base;
    options.policy = policy;
    options.compute_lower_bound = false;
    auto r = simulate(tasks, fleet, options, dynamics);
    r.lower_bound = bound;
    if (bound.value_s > 0) r.makespan_over_lower_bound = r.makespan_s / bound.value_s;
    results.push_back(std::move(r));
  }
  return results;
}

namespace {

nlohmann::ordered_json optional_number(const std::optional<double>& x) {
  return x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json(nullptr);
}

/// [low, high], or null.
nlohmann::ordered_json interval_json(const std::optional<std::pair<double, double>>& interval) {
  if (!interval) return nullptr;
  return nlohmann::ordered_json::array({interval->first, interval->second});
}

/// " (95 % interval 0.601-0.697)", or nothing.
std::string interval_text(const std::optional<std::pair<double, double>>& interval) {
  if (!interval) return "";
  return " (95 % interval " + fixed(interval->first, 3) + "-" + fixed(interval->second, 3) + ")";
}

nlohmann::ordered_json to_json(const std::optional<policy_comparison>& c) {
  if (!c) return nullptr;
  return {{"wins", c->wins}, {"losses", c->losses}, {"ratio", optional_number(c->ratio)},
          {"ratio_interval_95", interval_json(c->interval)}};
}

std::string arrivals_name(arrival_pattern a) { return a == arrival_pattern::batch ? "batch" : "online"; }

/// "6-2 0.83": intelligent's wins-losses and its geometric-mean ratio.
std::string comparison_cell(const std::optional<policy_comparison>& c) {
  if (!c) return "";
  return std::to_string(c->wins) + "-" + std::to_string(c->losses) + " " + (c->ratio ? fixed(*c->ratio, 3) : "n/a");
}

} // namespace

nlohmann::ordered_json to_json(const family_bench_result& r) {
  nlohmann::ordered_json j;
  j["options"] = {{"seeds", r.options.seeds},
                  {"first_seed", r.options.first_seed},
                  {"tasks", r.options.tasks},
                  {"workers", r.options.workers},
                  {"offered_load", r.options.offered_load},
                  {"policies", r.options.policies}};
  auto& scenarios = j["scenarios"] = nlohmann::ordered_json::array();
  for (const auto& s : r.scenarios) {
    nlohmann::ordered_json js;
    js["name"] = s.name;
    js["family"] = std::string{to_string(s.family)};
    js["arrivals"] = arrivals_name(s.arrivals);
    js["tasks"] = s.tasks;
    js["workers"] = s.workers;
    js["seeds"] = s.seeds;
    js["best_baseline"] = s.best_baseline;
    js["intelligent_over_best_mean_completion"] = s.intelligent_over_best;
    js["intelligent_over_best_mean_completion_interval_95"] = interval_json(s.intelligent_over_best_interval);
    js["best_weighted_baseline"] = s.best_weighted_baseline;
    js["intelligent_over_best_priority_weighted_completion"] = s.intelligent_over_best_weighted;
    js["best_p95_baseline"] = s.best_p95_baseline;
    js["intelligent_over_best_p95_completion"] = s.intelligent_over_best_p95;
    auto& policies = js["policies"] = nlohmann::ordered_json::array();
    for (const auto& p : s.policies)
      policies.push_back({{"policy", p.policy},
                          {"makespan_over_bound", optional_number(p.makespan_over_bound)},
                          {"mean_completion_s", p.mean_completion_s},
                          {"p95_completion_s", p.p95_completion_s},
                          {"priority_weighted_completion_s", p.priority_weighted_completion_s},
                          {"wasted_share", p.wasted_share},
                          {"p90_calibration", optional_number(p.p90_calibration)},
                          {"prediction_rank_correlation", optional_number(p.prediction_rank_correlation)},
                          {"censored", p.censored},
                          {"intelligent_vs",
                           {{"makespan_over_bound", to_json(p.makespan)},
                            {"mean_completion", to_json(p.mean)},
                            {"p95_completion", to_json(p.p95)},
                            {"priority_weighted_completion", to_json(p.weighted)}}}});
    auto& runs = js["runs"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < s.results.size(); ++i)
      for (const auto& result : s.results[i]) {
        auto run = to_json(result);
        run["seed"] = s.seeds[i];
        runs.push_back(std::move(run));
      }
    scenarios.push_back(std::move(js));
  }
  j["summary"] = {{"intelligent_over_best_mean_completion", r.intelligent_over_best},
                  {"worst_scenario", r.worst_scenario},
                  {"worst_ratio", r.worst_ratio},
                  {"intelligent_over_best_priority_weighted_completion", r.intelligent_over_best_weighted},
                  {"worst_weighted_scenario", r.worst_weighted_scenario},
                  {"worst_weighted_ratio", r.worst_weighted_ratio},
                  {"worst_p95_scenario", r.targets.worst_p95_scenario},
                  {"worst_ratio_interval_95", interval_json(r.targets.worst_ratio_interval)},
                  {"worst_p95_ratio", r.targets.worst_p95_ratio},
                  {"worst_p95_ratio_interval_95", interval_json(r.targets.worst_p95_interval)},
                  {"batch_makespan_over_bound", optional_number(r.targets.batch_makespan_over_bound)},
                  {"reference_batch_makespan_over_bound", optional_number(r.targets.reference_batch_makespan_over_bound)},
                  {"batch_scenarios_with_bound", r.targets.batch_scenarios_with_bound},
                  {"worst_wasted_scenario", r.targets.worst_wasted_scenario},
                  {"worst_wasted_share", r.targets.worst_wasted_share},
                  {"p90_calibration_range", interval_json(r.targets.p90_calibration_range)},
                  {"seconds", r.seconds}};
  return j;
}

void print_family_tables(std::ostream& out, const family_bench_result& r, bool markdown) {
  for (const auto& s : r.scenarios) {
    if (markdown) out << "\n### " << s.name << "\n\n";
    else out << "\n== " << s.name;
    out << (markdown ? "" : " (") << s.tasks << " tasks, " << s.workers << " workers, seeds " << s.seeds.front() << "-"
        << s.seeds.back();
    if (s.best_baseline.empty())
      out << "; no other policy to compare with";
    else
      out << "; best other policy by mean completion: " << s.best_baseline << ", intelligent / it = "
          << fixed(s.intelligent_over_best, 3) << interval_text(s.intelligent_over_best_interval)
          << "; by priority-weighted completion: " << s.best_weighted_baseline
          << ", intelligent / it = " << fixed(s.intelligent_over_best_weighted, 3);
    out << (markdown ? "\n\n" : ")\n");
    std::vector<std::vector<std::string>> rows{{"policy", "x LB", "mean s", "p95 s", "prio-w s", "wasted", "p90 cal.",
                                                "censored", "mean W-L ratio", "p95 W-L ratio", "prio-w W-L ratio",
                                                "x LB W-L ratio"}};
    for (const auto& p : s.policies)
      rows.push_back({p.policy, p.makespan_over_bound ? fixed(*p.makespan_over_bound, 3) : "n/a",
                      fixed(p.mean_completion_s, 0), fixed(p.p95_completion_s, 0),
                      fixed(p.priority_weighted_completion_s, 0), percent(p.wasted_share),
                      p.p90_calibration ? percent(*p.p90_calibration) : "n/a", std::to_string(p.censored),
                      comparison_cell(p.mean), comparison_cell(p.p95), comparison_cell(p.weighted),
                      comparison_cell(p.makespan)});
    print_aligned(out, rows, markdown);
  }
  out << "\n" << family_summary_line(r) << "\n";
  if (!r.worst_scenario.empty()) print_family_targets(out, r, markdown);
}

void print_family_targets(std::ostream& out, const family_bench_result& r, bool markdown) {
  // The targets of README's "Scenario families" section.
  constexpr double mean_target = 0.8, worst_target = 1.03, p95_target = 1.0, makespan_target = 1.15;
  constexpr double wasted_target = 0.03, calibration_low = 0.80, calibration_high = 0.95;
  const auto verdict = [](bool met) { return std::string{met ? "met" : "missed"}; };
  const auto& t = r.targets;
  std::vector<std::vector<std::string>> rows{{"target", "intelligent", "goal", ""}};
  rows.push_back({"mean completion / best other's (geometric mean)", fixed(r.intelligent_over_best, 3),
                  "<= " + fixed(mean_target, 2), verdict(r.intelligent_over_best <= mean_target)});
  rows.push_back({"worst scenario, mean completion / best other's",
                  r.worst_scenario + " " + fixed(r.worst_ratio, 3) + interval_text(t.worst_ratio_interval),
                  "<= " + fixed(worst_target, 2), verdict(r.worst_ratio <= worst_target)});
  rows.push_back({"worst scenario, p95 / best other's p95",
                  t.worst_p95_scenario + " " + fixed(t.worst_p95_ratio, 3) + interval_text(t.worst_p95_interval),
                  "<= " + fixed(p95_target, 2), verdict(t.worst_p95_ratio <= p95_target)});
  if (t.batch_makespan_over_bound)
    rows.push_back({"batch makespan / bound (geometric mean over " + std::to_string(t.batch_scenarios_with_bound) +
                        " batch scenarios)",
                    fixed(*t.batch_makespan_over_bound, 3) +
                        (t.reference_batch_makespan_over_bound
                             ? " (clairvoyant " + fixed(*t.reference_batch_makespan_over_bound, 3) + ")"
                             : ""),
                    "<= " + fixed(makespan_target, 2), verdict(*t.batch_makespan_over_bound <= makespan_target)});
  rows.push_back({"worst scenario, cancelled attempts / busy slot time",
                  t.worst_wasted_scenario + " " + percent(t.worst_wasted_share), "<= " + percent(wasted_target),
                  verdict(t.worst_wasted_share <= wasted_target)});
  if (t.p90_calibration_range)
    rows.push_back({"runs at or under their predicted p90 after warm-up (per scenario)",
                    percent(t.p90_calibration_range->first) + " - " + percent(t.p90_calibration_range->second),
                    percent(calibration_low) + " - " + percent(calibration_high),
                    verdict(t.p90_calibration_range->first >= calibration_low &&
                            t.p90_calibration_range->second <= calibration_high)});
  out << (markdown ? "\n" : "\ntargets:\n");
  print_aligned(out, rows, markdown);
}

std::string family_summary_line(const family_bench_result& r) {
  if (r.worst_scenario.empty())
    return "families: intelligent alone over " + std::to_string(r.scenarios.size()) +
           " scenarios, no other policy to compare with (" + fixed(r.seconds, 1) + " s)";
  return "families: intelligent mean completion / best other policy's, geometric mean over " +
         std::to_string(r.scenarios.size()) + " scenarios: " + fixed(r.intelligent_over_best, 3) + "; worst " +
         r.worst_scenario + " " + fixed(r.worst_ratio, 3) + "; priority-weighted: " +
         fixed(r.intelligent_over_best_weighted, 3) + ", worst " + r.worst_weighted_scenario + " " +
         fixed(r.worst_weighted_ratio, 3) + " (" + fixed(r.seconds, 1) + " s)";
}

} // namespace dtf::app
