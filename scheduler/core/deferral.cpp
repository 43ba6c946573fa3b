#include "scheduler/core/deferral.hpp"

#include "scheduler/core/finite.hpp"
#include "scheduler/core/scarcity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dtf {

namespace {

// The busy count that decides a deferral's effect, `ahead` tasks into its
// class's turn: at least the tasks left in the turn (it ends), or the bound's
// limit (it passes over exactly limit - ahead).
std::size_t required_count(const deferral_bound& bound, std::size_t ahead, std::size_t ending_turn) {
  return std::min(bound.limit, ahead + ending_turn);
}
} // namespace

std::size_t busy_finishing_within(const task& t, std::span<const std::uint32_t> profiles, double now_s,
                                  double within_s, std::size_t limit, const fleet_index& fleet, decision_cache& cache,
                                  const execution_predictor& predictor, const slot_claims& claims) {
  if (claims.holds) claims.holds->begin_count();
  if (!(within_s > 0.0) || limit == 0) return 0;
  std::size_t count = 0;
  for (auto p : profiles) {
    const auto& full = fleet.profile(p).full_by_end;
    if (full.empty()) continue;
    // In the core's clock, as the slots' free times.
    const auto predicted = cache.predicted_on(t, full.front().second, fleet, predictor);
    // A prediction at a noisy level (device ratios learned from other models
    // that do not hold for this one) backs no wait for the profile.
    if (from_model_history(predicted.level) && predictor.spread().noisy(predicted.level)) continue;
    const double d = predicted.seconds * fleet.profile_scheduler_s_per_worker_s(p);
    if (!(d < within_s)) continue;
    std::size_t taken = 0;  // by tasks only p can run
    if (claims.queue)
      for (auto c : fleet.profile(p).exclusive_classes)
        if (c != claims.own) taken += claims.queue->of_class(c).size();
    if (claims.holds) taken += claims.holds->taken_by_others(claims.own, p, d);
    // Of the slots freeing, t counts on the share that later arrivals did not claim while it waited, and at most
    // the share that tasks only p can run, arriving as they recently did, leave.
    double claimed = claims.starts ? claims.starts->share_claimed_since(p, claims.deferred_since_s, now_s,
                                                                       fleet.profile(p).total_slots)
                                   : 0.0;
    if (claims.arrivals) {
      double arriving_work = 0.0;  // seconds per second
      for (auto c : fleet.profile(p).exclusive_classes)
        if (c != claims.own) arriving_work += claims.arrivals->work_per_s(c, now_s);
      claimed = std::max(claimed, arriving_work / std::max(1, fleet.profile(p).total_slots));
    }
    const double left = 1.0 - std::min(claimed, 1.0);
    if (!(left > 0.0)) continue;
    const double wanted = static_cast<double>(limit - count + taken) / left;
    std::size_t here = 0;
    fleet.count_full_finishing(p, d, now_s, within_s, static_cast<std::size_t>(std::ceil(std::min(wanted, 1e9))), here);
    const auto counted = static_cast<std::size_t>(std::floor(static_cast<double>(here) * left + 1e-9));
    if (counted > taken && claims.holds) claims.holds->note_found(p, counted - taken, d);
    count += counted > taken ? counted - taken : 0;
    if (count >= limit) return limit;
  }
  return count;
}

void hold_counted_slots(const task_record& r, std::uint32_t c, std::size_t ahead, std::size_t held, double margin,
                        double now_s, const core_parts& in) {
  if (held == 0) return;
  const auto& profiles = in.fleet.requirement(c).profiles;
  // The window of a deferral from the fastest free profile (the policy's, or
  // its certificate's: the same answer either way, so the holds are too).
  double fastest_free_s = std::numeric_limits<double>::infinity();
  for (auto p : profiles) {
    const auto& members = in.fleet.profile(p).free_members;
    if (members.empty()) continue;
    const auto predicted = in.cache.predicted_on(r.body, members.front(), in.fleet, in.predictor);
    fastest_free_s = std::min(fastest_free_s, predicted.seconds * in.fleet.profile_scheduler_s_per_worker_s(p));
  }
  const double within_s = fastest_free_s * (1.0 - margin);
  if (!std::isfinite(within_s)) return;
  busy_finishing_within(r.body, profiles, now_s, within_s, ahead + held, in.fleet, in.cache, in.predictor,
                        {&in.queue, c, &in.starts, r.first_deferred_at_s, &in.arrivals, &in.holds});
  in.holds.hold(c, ahead, held);
}

void deferral_certificates::certify(std::uint32_t c, task_handle h, std::size_t step, std::size_t ahead,
                                    const std::optional<deferral_bound>& bound, const core_parts& in) {
  if (c >= by_class_.size()) by_class_.resize(c + 1);
  auto& certificates = by_class_[c];
  if (certificates.size() <= step) certificates.resize(step + 1);
  auto& cert = certificates[step];
  cert.active = false;
  const auto& decision = in.cache.current();
  if (!bound || explaining_ || decision.avoided != no_worker_index || decision.handle != h) return;
  if (any_exclusive_pending(in.fleet, in.queue) || any_exclusive_arriving(in.fleet, in.arrivals, in.now_s)) return;
  const auto& profiles = in.fleet.requirement(c).profiles;
  cert.active = true;
  cert.head = h;
  cert.ahead = ahead;
  cert.structure_changes = in.fleet.structure_changes();
  cert.bound = *bound;
  cert.query = decision.query;
  cert.names = in.predictor.name_count();
  cert.profiles.resize(profiles.size());
  for (std::size_t k = 0; k < profiles.size(); ++k) {
    // The decision's own predictions where it made them.
    const auto pc = profiles[k];
    const auto first_member = in.fleet.profile(pc).members.front();
    const auto& w = in.fleet.worker(first_member);
    if (!in.cache.holds(pc)) in.cache.predicted_on(in.tasks[h].body, first_member, in.fleet, in.predictor);
    const auto level = in.cache.level(pc);
    cert.profiles[k] = {in.cache.duration_s(pc), level,
                        in.predictor.change_stamp(cert.query, w.device_key, w.cap.kind, level)};
  }
  // A profile predicted past the timeout is left by the policy's own rule.
  if (has_timeout(in.tasks[h].body))
    for (const auto& kept : cert.profiles)
      if (kept.duration_s > in.tasks[h].body.timeout_s) cert.active = false;
}

std::size_t deferral_certificates::certified_pass_over(std::uint32_t c, task_handle h, std::size_t step,
                                                       std::size_t ahead, std::size_t ending_turn,
                                                       std::size_t avoided, double now_s,
                                                       const core_parts& in) const {
  if (c >= by_class_.size() || step >= by_class_[c].size()) return 0;
  const auto& cert = by_class_[c][step];
  if (!cert.active || cert.head != h || cert.ahead != ahead || avoided != no_worker_index ||
      cert.structure_changes != in.fleet.structure_changes() || cert.names != in.predictor.name_count() ||
      explaining_)
    return 0;
  if (any_exclusive_pending(in.fleet, in.queue) || any_exclusive_arriving(in.fleet, in.arrivals, in.now_s)) return 0;
  // The same predictions: the task in that place is one like the certified one.
  const auto& r = in.tasks[h];
  const auto& q = in.tasks.query(h, in.predictor);  // prepared again if names or its variant came since
  if (r.query_names != cert.names || q.model != cert.query.model || q.family != cert.query.family ||
      q.type != cert.query.type || q.batch_size != cert.query.batch_size || q.gpu_capable != cert.query.gpu_capable ||
      q.variant != cert.query.variant)
    return 0;
  const std::size_t required = required_count(cert.bound, ahead, ending_turn);
  if (required <= ahead) return 0;
  // As scheduler_view::deferred_for_s.
  const double deferred_for =
      r.first_deferred_at_s < 0.0 ? 0.0 : std::max(0.0, finite_or(now_s - r.first_deferred_at_s, 0.0));
  if (deferred_for > cert.bound.max_deferred_for_s) return 0;
  const auto& profiles = in.fleet.requirement(c).profiles;
  bool uniform = true;  // every free candidate profile predicted exactly fastest_free_s
  for (std::size_t k = 0; k < profiles.size(); ++k) {
    const auto& profile = in.fleet.profile(profiles[k]);
    const auto& kept = cert.profiles[k];
    if (!profile.free_members.empty()) {
      // The bound is the policy's, in the core's clock; the kept prediction in the worker's.
      const double kept_s = kept.duration_s * in.fleet.profile_scheduler_s_per_worker_s(profiles[k]);
      if (kept_s < cert.bound.fastest_free_s) return 0;
      uniform = uniform && kept_s == cert.bound.fastest_free_s;
    }
    const auto& w = in.fleet.worker(profile.members.front());
    if (in.predictor.change_stamp(cert.query, w.device_key, w.cap.kind, kept.level) != kept.stamp) return 0;
  }
  // The predictions are the kept ones: the decision cache serves them.
  in.begin_decision(h);
  for (std::size_t k = 0; k < profiles.size(); ++k)
    in.cache.hold(profiles[k], cert.profiles[k].duration_s, cert.profiles[k].level);
  const auto sooner =
      busy_finishing_within(r.body, profiles, now_s, cert.bound.within_s, required, in.fleet, in.cache, in.predictor,
                            {nullptr, c, &in.starts, r.first_deferred_at_s, nullptr, &in.holds});
  // Below the required count the answer is exact; with the window exactly
  // the bound's, so is the policy's pass-over.
  const std::size_t pass_over = sooner >= required ? required - ahead : uniform && sooner > ahead ? sooner - ahead : 0;
  if (pass_over == 0) in.cache.end();
  return pass_over;
}

} // namespace dtf
