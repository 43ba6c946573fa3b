#include "scheduler/core/probes.hpp"

#include "scheduler/core/finite.hpp"
#include "scheduler/core/scarcity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dtf {

namespace {

/// Levels that answer from the model's own runs on the device itself.
bool tried_on_device(prediction_level level) {
  return level == prediction_level::exact || level == prediction_level::model_batch_scaled ||
         level == prediction_level::model_type_device;
}

/// Tasks looked at per class and call, in queue order, and per call (the
/// call's cost stays bounded on a deep queue and many classes; the head is
/// what waits longest).
constexpr int looked_per_class = 4;
constexpr int looked_per_call = 32;

} // namespace

void device_probes::place(double now_s, const core_parts& in, const std::function<void(const probe_choice&)>& start,
                          double others_s) {
  if (!enabled_) return;
  const double factor = finite_or(config_.probe_cutoff_factor, 0.0);
  const double budget_fraction = std::max(0.0, finite_or(config_.probe_budget_fraction, 0.0));
  const double all_fraction = std::max(0.0, finite_or(config_.backup_budget_fraction, 0.0));
  if (!(factor > 0.0) || budget_fraction <= 0.0) return;
  double busy = -1.0;  // busy_slot_s(now), computed once when needed
  // Only while submissions arrive: what a probe teaches pays on the tasks still to come. In a batch the slow
  // devices it found fast drew its last long tasks (batch families' makespan / bound 1.733 -> 1.863, a first
  // version).
  bool arriving = false;
  for (std::uint32_t c = 0; c < in.fleet.class_count() && !arriving; ++c)
    arriving = in.arrivals.work_per_s(c, now_s) > 0.0;
  if (!arriving) return;
  // Slot time a probe may still be cut at: within its own budget and, with the backups', within theirs.
  const auto room_s = [&] {
    if (busy < 0.0) busy = in.fleet.busy_slot_s(now_s);
    return std::min(budget_fraction * busy - committed_s(), all_fraction * busy - others_s - committed_s());
  };
  int looked = 0;  // tasks examined in this call, over all classes
  for (std::uint32_t c = 0; c < in.fleet.class_count() && looked < looked_per_call; ++c) {
    const auto& cls = in.fleet.requirement(c);
    if (cls.free_feasible <= 0 || cls.profiles.size() < 2) continue;
    int looked_here = 0;
    for (const auto& key : in.queue.of_class(c)) {
      if (looked_here++ >= looked_per_class || looked++ >= looked_per_call) break;
      const task_handle h = key.handle;
      const auto& r = in.tasks[h];
      const auto model = in.tasks.query(h, in.predictor).model;
      if (model == execution_predictor::no_key) continue;
      // The first free profile whose device this model never ran on nor probed (the set tests first: cheap).
      std::uint32_t profile = 0;
      std::size_t w = no_worker_index;
      prediction d;
      bool deciding = false;
      for (auto p : cls.profiles) {
        std::size_t m = no_worker_index;
        for (std::size_t f : in.fleet.profile(p).free_members)
          if (in.fleet.worker(f).affinity_key != r.avoid_worker) {
            m = f;
            break;
          }
        if (m == no_worker_index) continue;
        const auto device = in.fleet.worker(m).device_key;
        if (tried_.contains({model, device}) || exclusive_pending(in.fleet, in.queue, p) > 0) continue;
        // Without room in the budget for even a short probe, none this call (it grows with busy time).
        if (room_s() <= 0.0) {
          if (deciding) in.cache.end();
          return;
        }
        if (!deciding) in.begin_decision(h);
        deciding = true;
        d = in.predicted_on(r.body, m);
        if (tried_on_device(d.level)) {
          tried_.insert({model, device});  // its model's own runs speak for it there: nothing to probe
          continue;
        }
        profile = p;
        w = m;
        break;
      }
      if (w == no_worker_index) {
        if (deciding) in.cache.end();
        continue;
      }
      bool noisy = false;
      const double best_s = best_own_s(h, in, noisy);
      in.cache.end();
      const double scale = in.fleet.profile_scheduler_s_per_worker_s(profile);
      const double cutoff_s = factor * best_s;  // the core's clock
      if (noisy || !std::isfinite(best_s) || !(best_s > 0.0) || !(scale > 0.0) || !std::isfinite(scale)) continue;
      if (has_timeout(r.body) && cutoff_s / scale >= r.body.timeout_s) continue;  // its timeout cuts first
      if (cutoff_s > room_s()) continue;
      tried_.insert({model, in.fleet.worker(w).device_key});
      if (h >= held_s_.size()) held_s_.resize(h + 1, 0.0);
      held_s_[h] = cutoff_s;
      held_total_s_ += cutoff_s;
      ++started_;
      start({h, w, d, cutoff_s / scale});  // takes h out of the queue: this class is done for the call
      break;
    }
  }
}

double device_probes::best_own_s(task_handle h, const core_parts& in, bool& noisy) {
  const auto& r = in.tasks[h];
  double best_s = std::numeric_limits<double>::infinity();
  for (auto p : in.fleet.requirement(r.class_id).profiles) {
    const auto& members = in.fleet.profile(p).members;
    if (members.empty()) continue;
    const auto d = in.predicted_on(r.body, members.front());
    if (!tried_on_device(d.level)) continue;
    noisy = noisy || in.predictor.spread().noisy(d.level);
    best_s = std::min(best_s, d.seconds * in.fleet.profile_scheduler_s_per_worker_s(p));
  }
  return best_s;
}

void device_probes::count_cut(task_handle h, double ran_s) {
  settle(h);
  ++cut_;
  cut_slot_s_ += std::max(0.0, finite_or(ran_s, 0.0));
}

void device_probes::settle(task_handle h) {
  if (h >= held_s_.size() || held_s_[h] == 0.0) return;
  held_total_s_ = std::max(0.0, held_total_s_ - held_s_[h]);
  held_s_[h] = 0.0;
}

} // namespace dtf
