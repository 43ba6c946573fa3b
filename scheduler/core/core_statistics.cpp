#include "scheduler/core/core_statistics.hpp"

#include "scheduler/core/finite.hpp"
#include "scheduler/core/slot_utilization.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

std::string_view core_statistics::bucket_name(std::size_t b) {
  return b == planned_bucket ? std::string_view{"planned"} : to_string(static_cast<task_status>(b));
}

void core_statistics::observe(double now_s) {
  if (!std::isfinite(now_s)) return;
  first_now_s_ = std::min(first_now_s_, now_s);
  last_now_s_ = std::max(last_now_s_, now_s);
}

void core_statistics::count(const task_record& r, std::size_t bucket, int delta) {
  auto& c = counts_[static_cast<std::size_t>(r.body.type)][bucket];
  c = static_cast<std::uint64_t>(static_cast<std::int64_t>(c) + delta);
}

void core_statistics::count_submitted(const task_record& r) {
  const auto family = model_family(r.body.model);
  family_distribution_[r.body.model.empty() ? "none" : family.empty() ? "other" : std::string{family}]++;
  count(r, static_cast<std::size_t>(task_status::pending), +1);
}

void core_statistics::set_status(task_record& r, task_status s) {
  count(r, static_cast<std::size_t>(r.status), -1);
  r.status = s;
  count(r, static_cast<std::size_t>(s), +1);
}

void core_statistics::count_planned(task_record& r) {
  count(r, static_cast<std::size_t>(r.status), -1);
  count(r, planned_bucket, +1);
}

void core_statistics::count_affinity(double a) {
  ++affinity_counts_.placements;
  if (a >= affinity_map::same_model_value) ++affinity_counts_.same_model_hits;
  else if (a >= affinity_map::same_family_value) ++affinity_counts_.same_family_hits;
  else if (a > 0.0) ++affinity_counts_.learned_link_hits;
}

void core_statistics::count_result(const task_result& result, bool success_with_duration) {
  for (const auto& [name, value] : result.metrics)
    if (std::isfinite(value)) ++metric_counts_[name];
  if (success_with_duration) {
    const auto t = static_cast<std::size_t>(result.type);
    duration_sum_s_[t] += std::min(result.duration_s, execution_predictor::max_seconds);
    ++duration_count_[t];
  }
}

scheduler_stats core_statistics::summary(const others& o) const {
  scheduler_stats s;
  s.policy = o.policy;
  for (std::size_t t = 0; t < 3; ++t) {
    const std::string type{to_string(static_cast<task_type>(t))};
    for (std::size_t b = 0; b < status_buckets; ++b) {
      if (counts_[t][b] == 0) continue;
      s.tasks_by_type_and_status[type][std::string{bucket_name(b)}] = counts_[t][b];
      s.tasks_by_status[std::string{bucket_name(b)}] += counts_[t][b];
    }
    if (duration_count_[t] > 0)
      s.execution_time_by_type[type] = {duration_count_[t], duration_sum_s_[t] / static_cast<double>(duration_count_[t])};
  }
  const double span =
      (std::isfinite(first_now_s_) && std::isfinite(last_now_s_)) ? last_now_s_ - first_now_s_ : 0.0;
  double busy_sum_s = 0.0, slot_sum = 0.0;
  for (const auto& w : o.fleet.workers()) {
    worker_utilization u;
    u.worker_id = w.cap.id;
    u.running = w.running;
    u.slots = w.run_slots;
    u.busy_s = w.busy_s;
    for (const auto& occupant : w.occupants) u.busy_s += std::max(0.0, last_now_s_ - occupant.placed_at_s);
    u.busy_s = finite_or(u.busy_s, 0.0);
    u.utilization = slot_utilization(u.busy_s, span, w.run_slots);
    u.tasks_completed = w.completed;
    busy_sum_s += u.busy_s;
    slot_sum += std::max(0, w.run_slots);
    s.workers.push_back(std::move(u));
  }
  s.wall_s = std::max(0.0, span);
  s.utilization = slot_utilization(busy_sum_s, span, slot_sum);
  s.affinity = affinity_counts_;
  s.affinity.learned_links = o.affinity.learned_link_count();
  s.affinity.hit_rate = s.affinity.placements ? static_cast<double>(s.affinity.same_model_hits) /
                                                    static_cast<double>(s.affinity.placements)
                                              : 0.0;
  s.predictions = o.predictions;
  s.decisions = decisions_;
  s.deferrals = deferrals_;
  s.backups_started = o.backups_started;
  s.backups_won = o.backups_won;
  s.backup_wasted_slot_s = o.backup_wasted_s;
  s.probes_started = o.probes_started;
  s.probes_cut = o.probes_cut;
  s.probe_cut_slot_s = o.probe_cut_s;
  s.affinity.lookaheads = o.lookaheads;
  s.pending = o.pending;
  s.running = o.fleet.running();
  return s;
}

} // namespace dtf
