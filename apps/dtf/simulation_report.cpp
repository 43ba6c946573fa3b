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
      << "scheduler cost      " << fixed(r.scheduler_us_per_decision, 2) << " us per decision (" << r.decisions
      << " decisions)\n"
      << "backup attempts     " << r.backups_started << " started, " << r.backups_won << " won, "
      << fixed(r.backup_wasted_s, 1) << " s of slot time spent on losers\n";
}

void print_table(std::ostream& out, const std::vector<simulation_result>& results, bool markdown) {
  const std::vector<std::string> header = {"policy", "makespan s", "x LB", "mean compl. s", "p95 compl. s",
                                           "mean wait s", "util.", "loading s", "warm hits", "MAPE",
                                           "MAPE warm", "backups", "us/decision"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results)
    rows.push_back({r.policy, fixed(r.makespan_s, 0), fixed(r.makespan_over_lower_bound, 3),
                    fixed(r.mean_completion_s, 0), fixed(r.p95_completion_s, 0), fixed(r.mean_wait_s, 0),
                    percent(r.utilization), fixed(r.load_time_s, 0), percent(r.affinity_hit_rate),
                    percent(r.predictor_mape), percent(r.predictor_mape_after_warmup),
                    std::to_string(r.backups_won) + "/" + std::to_string(r.backups_started),
                    fixed(r.scheduler_us_per_decision, 2)});
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      if (markdown) out << "| ";
      else if (c) out << "  ";
      out << (c == 0 ? cells[c] + pad : pad + cells[c]);
      if (markdown) out << ' ';
    }
    out << (markdown ? "|\n" : "\n");
  };
  line(header);
  if (markdown) {
    for (std::size_t c = 0; c < header.size(); ++c) out << "|" << (c ? std::string(width[c] + 1, '-') + ":" : std::string(width[c] + 2, '-'));
    out << "|\n";
  }
  for (const auto& row : rows) line(row);
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
                                                 const simulation_options& base) {
  lower_bound_result bound;
  if (base.compute_lower_bound)
    bound = compute_lower_bound(make_lower_bound_instance(tasks, fleet, base.config), base.lower_bound);
  std::vector<simulation_result> results;
  for (const auto& policy : policies) {
    auto options = base;
    options.policy = policy;
    options.compute_lower_bound = false;
    auto r = simulate(tasks, fleet, options);
    r.lower_bound = bound;
    if (bound.value_s > 0) r.makespan_over_lower_bound = r.makespan_s / bound.value_s;
    results.push_back(std::move(r));
  }
  return results;
}

} // namespace dtf::app
