#include "scheduler/core/backups.hpp"

#include "scheduler/core/finite.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

void backup_attempts::watch(task_handle h, const task_record& r, const execution_predictor& predictor) {
  if (!enabled_) return;
  if (h < copied_.size()) copied_[h] = false;  // a new first attempt
  if (!from_model_history(r.first.level) || predictor.spread().noisy(r.first.level)) return;
  const double p99 = predictor.spread().quantile_s(1.0, r.first.level, prediction_spread::z99);
  const double factor = std::max({1.0, finite_or(config_.backup_overrun_factor, 2.0), p99});
  // In the core's clock; a worker whose clock does not follow it (time scale 0) is not watched.
  if (!(r.first.scheduler_s_per_worker_s > 0.0)) return;
  const double at =
      r.first.placed_at_s + factor * std::max(r.first.predicted_s, 1e-3) * r.first.scheduler_s_per_worker_s;
  if (!std::isfinite(at)) return;
  if (h >= overdue_at_s_.size()) overdue_at_s_.resize(h + 1, infinity);
  overdue_at_s_[h] = at;
  overdue_.emplace(at, h);
}

void backup_attempts::unwatch(task_handle h) {
  if (h >= overdue_at_s_.size()) return;
  if (overdue_at_s_[h] != infinity) overdue_.erase({overdue_at_s_[h], h});
  overdue_at_s_[h] = infinity;
}

void backup_attempts::place(double now_s, const core_parts& in, bool faster_copies,
                            const std::function<void(const backup_choice&)>& start, double others_s) {
  const double fraction = std::clamp(finite_or(config_.backup_max_fraction, 0.0), 0.0, 1.0);
  if (fraction <= 0.0) return;
  const double budget_fraction = std::max(0.0, finite_or(config_.backup_budget_fraction, 0.0));
  int checks = std::max(1, config_.max_backup_checks);
  double busy = -1.0;      // busy_slot_s(now), computed once when needed
  double charged_s = 0.0;  // what the copies started here may waste
  for (auto it = overdue_.begin(); it != overdue_.end() && it->first <= now_s && checks-- > 0;) {
    const task_handle h = it->second;
    const auto& r = in.tasks[h];
    ++it;  // h's entry may be erased below
    if (in.predictor.spread().noisy(r.first.level)) {
      unwatch(h);  // its level turned noisy while it ran: it runs alone
      continue;
    }
    const auto& cls = in.fleet.requirement(r.class_id);
    if (cls.free_feasible <= 0) continue;
    const double elapsed = now_s - r.first.placed_at_s;
    in.begin_decision(h);
    const auto [best, best_p90, best_p] = fastest_free(r, in, false);
    in.cache.end();
    // Eligible once the attempt has run best_p90 / fraction; compared as a
    // time (with a rounding allowance), so a wake-up set for that moment
    // finds it eligible.
    const double eligible_at_s = r.first.placed_at_s + best_p90 / fraction;
    if (!std::isfinite(best_p90)) continue;
    if (now_s < eligible_at_s - 1e-9 * std::max(1.0, std::abs(eligible_at_s))) {
      wakeup_s_ = std::min(wakeup_s_, eligible_at_s);  // if the worker is still free then
      continue;
    }
    if (busy < 0.0) busy = in.fleet.busy_slot_s(now_s);
    // What this copy may waste: its own time if the first attempt wins, the
    // first attempt's time (already `elapsed`, and more until the copy ends)
    // if it wins. Charged in full, with what copies started in this call may
    // waste, so cancelled time stays within the budget.
    const double charge = elapsed + best_p90;
    if (const double short_s = wasted_s_ + held_total_s_ + others_s + charged_s + charge - budget_fraction * busy;
        short_s > 0.0) {
      // Over budget: the attempt runs alone for now. Each second the budget
      // grows by the fraction of the running attempts' slot time (at least)
      // and the charge by one: look again when it could fit (if ever without
      // another event).
      if (const double gain = budget_fraction * static_cast<double>(in.fleet.running()) - 1.0; gain > 0.0)
        wakeup_s_ = std::min(wakeup_s_, now_s + short_s / gain);
      continue;
    }
    charged_s += charge;
    start(begin_copy(h, charge, {best, best_p90, best_p}, in, elapsed, 0.0));
  }
  if (faster_copies) {
    if (busy < 0.0) busy = in.fleet.busy_slot_s(now_s);
    copy_to_faster(now_s, in, start, budget_fraction, busy, charged_s, others_s);
  }
  held_total_s_ += charged_s;
}

// Profiles in ascending order, members ascending: ties go to the earliest registered.
backup_attempts::free_worker backup_attempts::fastest_free(const task_record& r, const core_parts& in,
                                                           bool history_only) {
  free_worker best;
  const auto& cls = in.fleet.requirement(r.class_id);
  for (auto p : cls.profiles) {
    for (std::size_t w : in.fleet.profile(p).free_members) {
      if (static_cast<int>(w) == r.first.worker) continue;
      const auto d = in.predicted_on(r.body, w);
      if (history_only && !from_model_history(d.level)) break;
      const double p90 =
          in.predictor.spread().lognormal_p90_s(d.seconds, d.level) * in.fleet.profile_scheduler_s_per_worker_s(p);
      if (p90 < best.p90_s || (p90 == best.p90_s && w < best.worker)) best = {w, p90, d};
      break;  // one prediction per profile: its first free member stands for it
    }
  }
  return best;
}

backup_choice backup_attempts::begin_copy(task_handle h, double charge_s, const free_worker& on, const core_parts& in,
                                          double elapsed_s, double remaining_s) {
  if (h >= held_s_.size()) held_s_.resize(h + 1, 0.0);
  held_s_[h] = charge_s;
  unwatch(h);
  if (h >= copied_.size()) copied_.resize(h + 1, false);
  copied_[h] = true;
  ++started_;
  return {h,         on.worker,   on.predicted, in.predictor.p90_seconds(on.predicted.seconds, on.predicted.level),
          elapsed_s, remaining_s, on.p90_s};
}

bool backup_attempts::faster_copies_due(double now_s, const core_parts& in, bool after_result) const {
  return after_result && enabled_ && config_.backup_to_faster_workers && in.fleet.running() > 0 &&
         in.arrivals.submissions_over(now_s);
}

void backup_attempts::copy_to_faster(double now_s, const core_parts& in,
                                     const std::function<void(const backup_choice&)>& start, double budget_fraction,
                                     double& busy_s, double& charged_s, double others_s) {
  // Workers in index order, each one's attempts in placement order: deterministic.
  for (std::size_t w = 0; w < in.fleet.size(); ++w) {
    for (const auto& occupant : in.fleet.worker(w).occupants) {
      const task_handle h = occupant.task;
      const auto& r = in.tasks[h];
      // A first attempt without a copy, placed on its model's own history (as an overdue one must be).
      // (Not a probe: its cut-off decides.)
      if (r.has_backup() || r.first.worker != static_cast<int>(w) || !from_model_history(r.first.level) ||
          r.first.cutoff_s > 0.0 || (h < copied_.size() && copied_[h]))
        continue;
      const auto& cls = in.fleet.requirement(r.class_id);
      const double scale = r.first.scheduler_s_per_worker_s;
      if (cls.free_feasible <= 0 || !(scale > 0.0)) continue;
      in.begin_decision(h);
      // What the model's history predicts on its worker now (results came since it started).
      const auto now_p = in.predicted_on(r.body, w);
      if (!from_model_history(now_p.level) || in.predictor.spread().noisy(now_p.level)) {
        in.cache.end();
        continue;
      }
      const double elapsed = now_s - r.first.placed_at_s;
      const double remaining =
          in.predictor.spread().mean_remaining_s(now_p.seconds, now_p.level, elapsed / scale) * scale;
      const auto copy = fastest_free(r, in, true);
      in.cache.end();
      if (!std::isfinite(copy.p90_s) || !(2.0 * copy.p90_s < remaining)) continue;
      const double charge = elapsed + copy.p90_s;  // as in place()
      if (wasted_s_ + held_total_s_ + others_s + charged_s + charge - budget_fraction * busy_s > 0.0) continue;
      charged_s += charge;
      start(begin_copy(h, charge, copy, in, elapsed, remaining));  // on another worker: w's occupants stand
    }
  }
}

void backup_attempts::settle(task_handle h) {
  if (h >= held_s_.size() || held_s_[h] == 0.0) return;
  held_total_s_ = std::max(0.0, held_total_s_ - held_s_[h]);
  held_s_[h] = 0.0;
}

void backup_attempts::note_next_overdue(double now_s) {
  auto it = overdue_.upper_bound({now_s, std::numeric_limits<task_handle>::max()});
  if (it != overdue_.end()) wakeup_s_ = std::min(wakeup_s_, it->first);
}

} // namespace dtf
