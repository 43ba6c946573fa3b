#include "scheduler/output/stats_json.hpp"

#include <cmath>

namespace dtf {

namespace {
double finite(double v) { return std::isfinite(v) ? v : 0.0; }
} // namespace

nlohmann::json to_json(const prediction_error_summary& p) {
  return {{"from_history", p.from_history},
          {"defaults", p.defaults},
          {"mape", finite(p.mape)},
          {"mean_abs_error_s", finite(p.mean_abs_error_s)},
          {"median_abs_log_ratio", finite(p.median_abs_log_ratio)},
          {"rank_correlation", p.rank_correlation ? nlohmann::json(finite(*p.rank_correlation)) : nlohmann::json(nullptr)},
          {"p90_samples", p.p90_samples},
          {"p90_calibration", p.p90_samples > 0 ? nlohmann::json(static_cast<double>(p.at_or_under_p90) /
                                                                 static_cast<double>(p.p90_samples))
                                                : nlohmann::json(nullptr)}};
}

nlohmann::json to_json(const scheduler_stats& stats) {
  using nlohmann::json;
  json out;
  out["policy"] = stats.policy;
  out["tasks_by_type_and_status"] = stats.tasks_by_type_and_status;
  out["tasks_by_status"] = stats.tasks_by_status;
  json workers = json::array();
  for (const auto& w : stats.workers)
    workers.push_back({{"worker", w.worker_id},
                       {"running", w.running},
                       {"slots", w.slots},
                       {"busy_s", finite(w.busy_s)},
                       {"utilization", finite(w.utilization)},
                       {"tasks_completed", w.tasks_completed}});
  out["worker_utilization"] = std::move(workers);
  out["wall_s"] = finite(stats.wall_s);
  out["utilization"] = finite(stats.utilization);
  json times = json::object();
  for (const auto& [type, t] : stats.execution_time_by_type)
    times[type] = {{"count", t.count}, {"average_s", finite(t.average_s)}};
  out["average_execution_time_by_type"] = std::move(times);
  json spec = json::array();
  for (const auto& e : stats.specialization)
    spec.push_back({{"worker", e.worker_id},
                    {"type", std::string{to_string(e.type)}},
                    {"family", e.family},
                    {"successes", e.successes},
                    {"failures", e.failures},
                    {"success_rate", finite(e.success_rate)},
                    {"relative_speed", finite(e.relative_speed)},
                    {"mean_duration_s", finite(e.mean_duration_s)},
                    {"value", finite(e.value)}});
  out["specialization"] = std::move(spec);
  out["affinity"] = {{"placements", stats.affinity.placements},
                     {"same_model_hits", stats.affinity.same_model_hits},
                     {"same_family_hits", stats.affinity.same_family_hits},
                     {"learned_link_hits", stats.affinity.learned_link_hits},
                     {"hit_rate", finite(stats.affinity.hit_rate)},
                     {"learned_links", stats.affinity.learned_links},
                     {"lookaheads", stats.affinity.lookaheads}};
  out["model_family_distribution"] = stats.model_family_distribution;
  out["performance_metric_counts"] = stats.performance_metric_counts;
  out["predictions"] = to_json(stats.predictions);
  out["decisions"] = stats.decisions;
  out["deferrals"] = stats.deferrals;
  out["backups_started"] = stats.backups_started;
  out["backups_won"] = stats.backups_won;
  out["backup_wasted_slot_s"] = finite(stats.backup_wasted_slot_s);
  out["probes_started"] = stats.probes_started;
  out["probes_cut"] = stats.probes_cut;
  out["probe_cut_slot_s"] = finite(stats.probe_cut_slot_s);
  out["pending"] = stats.pending;
  out["running"] = stats.running;
  return out;
}

} // namespace dtf
