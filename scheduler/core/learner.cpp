#include "scheduler/core/learner.hpp"

#include "scheduler/core/finite.hpp"
#include "scheduler/model/run_clock.hpp"
#include "scheduler/model/task_variant.hpp"

#include <cmath>
#include <limits>

namespace dtf {

namespace {
std::string variant_name(bool learns, const std::string& model, const std::string& id) {
  return learns ? task_variant(model, id) : std::string{};
}

// A run that timed out after d took longer than d: learned as d x this margin.
constexpr double lower_bound_margin = 1.25;
bool has_any_metric(const worker_metrics& m) {
  return m.utilization || m.temperature_c || m.power_w || m.power_limit_w || m.memory_used_bytes;
}
} // namespace

void learner::learn_specialization(std::size_t wi, specialization_tracker::key specialization_worker, task_type type,
                                    specialization_tracker::key family, bool success,
                                    std::optional<double> normalized) {
  member_order.before_history_change(wi, type, family);
  specialization.record(specialization_worker, type, family, success, normalized);
  member_order.after_history_change(wi, type, family);
}

void learner::learn(const attempt_outcome& o, const fleet_index& fleet) {
  const auto& result = *o.result;
  const double duration = result.duration_s;
  const bool success = o.status == task_status::succeeded;
  const auto variant = variant_name(learns_variants, result.model, result.task_id);
  if (o.made && success && o.valid_duration) {
    const bool from_history = o.made->level != prediction_level::default_estimate;
    if (from_history) predictor.record_outcome(*o.made, duration);
    else predictor.record_spread(*o.made, duration);
    prediction_errors_.record(o.made->seconds, duration, from_history);
  }
  // The first attempt ran at least this long there: a lower bound (a
  // censored sample), so the slow worker stops drawing such tasks. It ran
  // lost_ran_s of the scheduler's clock: learned in the loser's.
  const double lost_s =
      o.lost_worker != no_worker_index ? in_worker_clock_s(o.lost_ran_s, fleet.worker(o.lost_worker).cap) : 0.0;
  if (o.lost_worker != no_worker_index && success && std::isfinite(lost_s) && lost_s > 0.0) {
    const auto& loser = fleet.worker(o.lost_worker);
    predictor.record_lower_bound(result.model, result.type, result.batch_size, loser.cap, lost_s, variant);
    learn_specialization(o.lost_worker, loser.specialization_key, result.type, o.family, true,
                         lost_s / execution_predictor::batch_factor(result.batch_size));
  }
  if (o.worker == no_worker_index) return;
  const auto& w = fleet.worker(o.worker);
  if (success && o.valid_duration)
    predictor.record(result.model, result.type, result.batch_size, w.cap, duration, !o.selected, variant);
  // A timeout is a lower bound on the run time there: the next prediction
  // for this worker is at least the timeout, so a worker that can finish in
  // time is preferred (see the intelligent policy).
  if (o.status == task_status::timed_out && o.valid_duration)
    predictor.record_lower_bound(result.model, result.type, result.batch_size, w.cap, duration * lower_bound_margin,
                                 variant);
  const auto family =
      o.family_known ? o.family : specialization.family_key(specialization_family(result.model));
  std::optional<double> normalized;
  if (success && o.valid_duration) normalized = duration / execution_predictor::batch_factor(result.batch_size);
  learn_specialization(o.worker, w.specialization_key, result.type, family, success, normalized);
  if (success && !result.model.empty()) touch_affinity(o.worker, fleet, affinity.model_key(result.model), true);
}

void learner::learn_from_history(const task_result& result, const worker_capability& worker,
                                  const fleet_index& fleet) {
  const double duration = result.duration_s;
  const bool success = result.status == task_status::succeeded && std::isfinite(duration) && duration >= 0.0;
  if (success)
    predictor.record(result.model, result.type, result.batch_size, worker, duration, true,
                     variant_name(learns_variants, result.model, result.task_id));
  std::optional<double> normalized;
  if (success) normalized = duration / execution_predictor::batch_factor(result.batch_size);
  // A registered worker's member order follows its history.
  const std::size_t at = fleet.find(worker.id);
  const auto specialization_worker = specialization.worker_key(worker.id);
  const auto family = specialization.family_key(specialization_family(result.model));
  learn_specialization(at, specialization_worker, result.type, family, result.status == task_status::succeeded,
                       normalized);
  if (success && !result.model.empty()) {
    const auto model = affinity.model_key(result.model);
    if (at != no_worker_index) touch_affinity(at, fleet, model, true);
    else affinity.learn_success(affinity.worker_key(worker.id), model);
  }
}

learner::worker_keys learner::register_worker(const worker_capability& cap) {
  worker_keys keys;
  keys.affinity = affinity.worker_key(cap.id);
  affinity.forget_worker(keys.affinity);  // a re-registered id starts cold
  keys.specialization = specialization.worker_key(cap.id);
  keys.device = predictor.device_key(cap.name);
  return keys;
}

void learner::add_to_member_order(std::size_t wi, const fleet_index& fleet) {
  const auto& w = fleet.worker(wi);
  member_order.add(wi, w.profile, w.specialization_key, w.affinity_key);
  member_order.set_has_metrics(wi, has_any_metric(w.metrics));
}

void learner::rebuild_member_order(const fleet_index& fleet) {
  member_order.clear();
  for (std::size_t i = 0; i < fleet.size(); ++i) add_to_member_order(i, fleet);
}

void learner::set_metrics(std::size_t wi, const worker_metrics& metrics) {
  member_order.set_has_metrics(wi, has_any_metric(metrics));
}

void learner::touch_affinity(std::size_t wi, const fleet_index& fleet, affinity_map::key model, bool success) {
  member_order.before_warm_change(wi);
  if (success) affinity.learn_success(fleet.worker(wi).affinity_key, model);
  else affinity.touch(fleet.worker(wi).affinity_key, model);
  member_order.after_warm_change(wi);
}

void learner::watch_running(task_handle h, double at_s) {
  if (!std::isfinite(at_s)) return;
  if (h >= censor_at_s_.size()) censor_at_s_.resize(h + 1, infinity);
  censor_at_s_[h] = at_s;
  censor_checks_.emplace(at_s, h);
}

void learner::unwatch_running(task_handle h) {
  if (h >= censor_at_s_.size()) return;
  if (censor_at_s_[h] != infinity) censor_checks_.erase({censor_at_s_[h], h});
  censor_at_s_[h] = infinity;
}

// Checked at schedule() calls (no wake-up of its own); O(log n) per check,
// O(log overrun) per attempt.
void learner::learn_running_lower_bounds(double now_s, const task_table& tasks, const fleet_index& fleet) {
  while (!censor_checks_.empty() && censor_checks_.begin()->first <= now_s) {
    const task_handle h = censor_checks_.begin()->second;
    censor_checks_.erase(censor_checks_.begin());
    censor_at_s_[h] = infinity;
    const auto& r = tasks[h];
    if (r.first.worker == no_worker) continue;
    // Checked in the scheduler's clock, learned in the worker's.
    const auto& cap = fleet.worker(static_cast<std::size_t>(r.first.worker)).cap;
    const double ran_s = now_s - r.first.placed_at_s;
    const double worker_s = in_worker_clock_s(ran_s, cap);
    if (!(worker_s > 0.0)) continue;
    predictor.record_lower_bound(r.body.model, r.body.type, r.body.batch_size, cap, worker_s,
                                 r.variant);
    watch_running(h, r.first.placed_at_s + 2.0 * ran_s);
  }
}

} // namespace dtf
