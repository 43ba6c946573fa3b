// The public API of the core and its schedule() loop. What each part owns
// lives in scheduler/core/: the fleet index, the task table, the pending
// queue, the decision cache, deferral certificates, backups, the affinity
// lookahead, learning, explanations and statistics (core_state.hpp holds them).
#include "scheduler/core/scheduler_core.hpp"

#include "scheduler/core/core_state.hpp"
#include "scheduler/core/finite.hpp"
#include "scheduler/core/scarcity.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/model/run_clock.hpp"
#include "scheduler/model/task_variant.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dtf {

namespace {

// The position in q of its first task below priority p (q.size() when none):
// where a class's turn at priority p ends. O(log n).
std::size_t end_of_priority(const class_queue& q, int priority) {
  if (q.empty() || std::prev(q.end())->priority >= priority) return q.size();
  if (priority == std::numeric_limits<int>::min()) return q.size();
  // The smallest key of the next lower priority (aged first and earliest, sequence 0, first in length order).
  const bool shortest_first = q.begin()->shortest_first;
  const queue_key first_below{priority - 1, shortest_first ? -infinity : infinity, 0, 0, true, -infinity, shortest_first};
  return q.order_of_key(first_below);
}

const policy_hooks default_hooks{};
const policy_hooks* hooks_of(const placement_policy& policy) {
  const auto* hooks = dynamic_cast<const policy_hooks*>(&policy);
  return hooks ? hooks : &default_hooks;
}
std::unique_ptr<placement_policy> or_default(std::unique_ptr<placement_policy> p, const scheduler_config& config) {
  return p ? std::move(p) : make_policy("intelligent", config);
}

} // namespace

std::optional<std::size_t> placement_policy::preview(const task& t, std::span<const std::size_t> free_feasible,
                                                     std::span<const std::size_t>, const scheduler_view& view,
                                                     double now_s) {
  std::optional<std::size_t> best;
  double best_total = -infinity;
  for (std::size_t index : free_feasible) {
    const double total = explain(t, index, view, now_s).total;
    if (!best || total > best_total) {
      best = index;
      best_total = total;
    }
  }
  return best;
}

// ---------------------------------------------------------------- state

scheduler_core::impl::impl(scheduler_config c, std::unique_ptr<placement_policy> p)
  : config(std::move(c)),
    policy(or_default(std::move(p), config)),
    hooks(hooks_of(*policy)),
    learned(config),
    queue(hooks->orders_shortest_first() ? config.shortest_first_aging_factor : config.queue_aging_factor,
          hooks->prefers_warm_tasks(), hooks->refines_guessed_estimates(),
          hooks->orders_shortest_first() && config.aged_in_aging_order, config.learn_task_variants),
    deferral(config.keep_explanations > 0),
    backups(config, hooks->wants_backups() && config.backup_attempts),
    probes(config, hooks->wants_probes()),
    lookahead(config, hooks->prefers_warm_tasks()),
    explanations(config.keep_explanations) {}

decision_explanation scheduler_core::impl::explain_task(const task& t, task_handle handle, double now_s) const {
  scheduler_view view{*owner};
  // The profiles t may run on, as schedule() gives a decision (the policy
  // reads them: the fastest one decides whether its predictions are trusted).
  const auto feasible = fleet.feasible_profiles(t.requirements);
  auto e = explain_decision(t, *policy, view, fleet,
                            [&] {
                              begin_decision(t, handle);
                              cache.current().profiles = feasible;
                            },
                            now_s);
  end_decision();
  return e;
}

// ---------------------------------------------------------------- core

scheduler_core::scheduler_core(scheduler_config config, std::unique_ptr<placement_policy> policy)
  : impl_(std::make_unique<impl>(std::move(config), std::move(policy))) {
  impl_->owner = this;
}
scheduler_core::~scheduler_core() = default;
scheduler_core::scheduler_core(scheduler_core&& other) noexcept : impl_(std::move(other.impl_)) {
  if (impl_) impl_->owner = this;
}
scheduler_core& scheduler_core::operator=(scheduler_core&& other) noexcept {
  impl_ = std::move(other.impl_);
  if (impl_) impl_->owner = this;
  return *this;
}

void scheduler_core::add_worker(worker_capability worker) {
  auto& i = *impl_;
  if (worker.id.empty()) throw std::invalid_argument("worker id is empty");
  if (i.fleet.find(worker.id) != no_worker_index) throw std::invalid_argument("duplicate worker id '" + worker.id + "'");
  if (!std::isfinite(worker.speed) || worker.speed <= 0.0) worker.speed = 1.0;
  if (!std::isfinite(worker.time_scale) || worker.time_scale < 0.0) worker.time_scale = 1.0;
  const int slots = placement_capacity(worker, i.config);
  const int run_slots = configured_slots(worker, i.config);
  const auto keys = i.learned.register_worker(worker);
  i.departed.returned(worker.id);
  const auto index = i.fleet.add(std::move(worker), slots, run_slots, keys.affinity, keys.specialization, keys.device);
  i.learned.add_to_member_order(index, i.fleet);
}

std::vector<std::string> scheduler_core::remove_worker(const std::string& worker_id, bool may_return) {
  auto& i = *impl_;
  const std::size_t index = i.fleet.find(worker_id);
  if (index == no_worker_index) return {};
  if (may_return) i.departed.depart(i.fleet.worker(index).cap);
  const double now_s = i.statistics.last_now_s();
  // Requeue what ran there, in submission order.
  std::vector<task_handle> handles;
  for (const auto& o : i.fleet.worker(index).occupants) handles.push_back(o.task);
  std::sort(handles.begin(), handles.end(),
            [&](auto a, auto b) { return i.tasks[a].key.sequence < i.tasks[b].key.sequence; });
  std::vector<std::string> requeued;
  for (auto h : handles) {
    auto& r = i.tasks[h];
    // A task with another attempt elsewhere keeps running there.
    if (r.backup.worker == static_cast<int>(index)) {
      i.drop_backup(h, now_s);
      continue;
    }
    if (r.has_backup()) {
      i.promote_backup(h, now_s);
      continue;
    }
    i.vacate(h, now_s);
    i.statistics.set_status(r, task_status::pending);
    i.queue.enqueue(i.tasks, h, now_s);
    requeued.push_back(r.body.id);
  }
  i.learned.affinity.forget_worker(i.fleet.worker(index).affinity_key);
  i.fleet.remove(index);
  // Indices above the removed worker moved down by one; a task with a backup
  // sits on two workers, so shift each attempt once, by where it runs.
  for (std::size_t w = index; w < i.fleet.size(); ++w)
    for (const auto& o : i.fleet.worker(w).occupants) {
      auto& r = i.tasks[o.task];
      if (r.first.worker == static_cast<int>(w) + 1) r.first.worker = static_cast<int>(w);
      else if (r.backup.worker == static_cast<int>(w) + 1) r.backup.worker = static_cast<int>(w);
    }
  i.learned.rebuild_member_order(i.fleet);
  return requeued;
}

void scheduler_core::update_metrics(const std::string& worker_id, const worker_metrics& metrics) {
  auto& i = *impl_;
  const std::size_t index = i.fleet.find(worker_id);
  if (index == no_worker_index) return;
  worker_metrics m = metrics;
  auto clean = [](std::optional<double>& v, double lo, double hi) {
    if (v && !std::isfinite(*v)) v.reset();
    if (v) *v = std::clamp(*v, lo, hi);
  };
  clean(m.utilization, 0.0, 1.0);
  clean(m.temperature_c, -100.0, 1000.0);
  clean(m.power_w, 0.0, 1e6);
  clean(m.power_limit_w, 0.0, 1e6);
  i.fleet.set_metrics(index, m);
  i.learned.set_metrics(index, m);
}

void scheduler_core::submit(task t, double now_s) {
  auto& i = *impl_;
  if (t.id.empty()) throw std::invalid_argument("task id is empty");
  if (auto existing = i.tasks.find(t.id); existing != no_handle) {
    if (!is_final(i.tasks[existing].status)) throw std::invalid_argument("duplicate task id '" + t.id + "'");
    i.tasks.retire(existing);  // a finished attempt kept for requeue: the new submission replaces it
  }
  i.statistics.observe(now_s);
  // Sequence: the caller's when given (non-zero), else the next after the largest seen.
  if (t.sequence == 0) t.sequence = i.next_sequence;
  i.next_sequence = std::max(i.next_sequence, t.sequence + 1);
  const auto class_id = i.fleet.class_of(t.requirements);
  const auto affinity_model = t.model.empty() ? affinity_map::no_key : i.learned.affinity.model_key(t.model);
  const auto family = i.learned.specialization.family_key(specialization_family(t.model));
  const auto estimate = i.learned.predictor.predict(t);
  const int priority = t.priority;
  const auto sequence = t.sequence;
  const auto h = i.tasks.add(std::move(t));
  auto& r = i.tasks[h];
  r.submitted_at_s = finite_or(now_s, 0.0);
  r.class_id = class_id;
  r.affinity_model = affinity_model;
  r.specialization_family = family;
  r.key = queue_key{priority, estimate.seconds, sequence, h};
  r.key_guessed = !from_model_history(estimate.level);
  if (i.learned.learns_variants) r.variant = task_variant(r.body.model, r.body.id);
  r.key_variant_unknown = !r.variant.empty() && !r.key_guessed && !i.learned.predictor.knows_variant(r.variant, r.body.type);
  r.key.shortest_first = i.hooks->orders_shortest_first();
  r.key_scheduler_s_per_s = i.fleet.class_scheduler_s_per_worker_s(class_id);
  i.queue.note_submission(i.tasks, r.submitted_at_s);
  i.arrivals.note(class_id, r.submitted_at_s, r.key.predicted_s * r.key_scheduler_s_per_s);
  i.statistics.count_submitted(r);
  i.queue.enqueue(i.tasks, h, i.statistics.last_now_s());
}

void scheduler_core::requeue(const std::string& task_id, const std::string& avoid_worker_id, double now_s) {
  auto& i = *impl_;
  const auto h = i.tasks.find(task_id);
  if (h == no_handle) throw std::invalid_argument("requeue: unknown task '" + task_id + "'");
  auto& r = i.tasks[h];
  i.statistics.observe(now_s);
  if (r.status == task_status::pending) i.queue.dequeue(i.tasks, h);
  if (r.first.worker != no_worker) i.vacate(h, now_s);
  r.avoid_worker = avoid_worker_id.empty() ? affinity_map::no_key : i.learned.affinity.find_worker(avoid_worker_id);
  i.statistics.set_status(r, task_status::pending);
  i.queue.enqueue(i.tasks, h, i.statistics.last_now_s());
}

bool scheduler_core::cancel(const std::string& task_id) {
  auto& i = *impl_;
  const auto h = i.tasks.find(task_id);
  if (h == no_handle || is_final(i.tasks[h].status)) return false;
  auto& r = i.tasks[h];
  if (r.status == task_status::pending) i.queue.dequeue(i.tasks, h);
  if (r.first.worker != no_worker) i.vacate(h, i.statistics.last_now_s());
  i.statistics.set_status(r, task_status::cancelled);
  i.tasks.retire(h);
  return true;
}

std::vector<assignment> scheduler_core::schedule(double now_s) {
  auto& i = *impl_;
  i.statistics.observe(now_s);
  std::vector<assignment> out;
  i.backups.clear_wakeup();
  if (i.fleet.empty()) return out;
  i.learned.learn_running_lower_bounds(now_s, i.tasks, i.fleet);
  i.learned.predictor.judge_prediction_order(i.config.distrust_unranked_predictions && i.arrivals.any_arriving(now_s));
  i.queue.promote_aged(i.tasks, now_s);
  const bool after_result = i.backups.take_result_noted();
  if (i.queue.size() == 0) {
    // Backups only take slots nothing pending waits for: a copy never delays
    // work that has not started.
    const auto parts = i.parts();
    const bool faster_copies = i.backups.faster_copies_due(now_s, parts, after_result);
    if (faster_copies || i.backups.any_overdue(now_s))
      i.backups.place(now_s, parts, faster_copies,
                      [&](const backup_choice& choice) { i.start_backup(choice, now_s, out); },
                      i.probes.committed_s());
    i.backups.note_next_overdue(now_s);
    return out;
  }
  scheduler_view view{*this};
  const int max_deferrals = std::max(1, i.config.max_deferrals_per_class);
  const bool wants_busy = i.hooks->wants_busy_feasible();
  const bool wants_free = i.hooks->wants_free_feasible();
  const auto parts = i.parts();

  // Per call: each class's cursor (first task not yet passed over in this
  // call). A class out of deferrals is not left: each deferral from then on
  // moves its cursor at least to its first task of a lower priority, so its
  // higher-priority tasks are offered the free workers before lower-priority
  // tasks of other classes, and a class defers at most cap + (its priorities
  // - 1) times in a call.
  struct cursor_state {
    class_queue::iterator at;
    std::size_t passed = 0;  // tasks of the class held back in this call (ahead of the cursor)
    int deferrals = 0;       // decisions that deferred
  };
  const auto class_count = static_cast<std::uint32_t>(i.fleet.class_count());
  const auto queues = i.queue.classes(class_count);
  i.holds.reset(i.fleet.profile_count(), class_count);
  std::vector<cursor_state> cursors(class_count);
  // Classes in play by the queue key of their cursor's task, smallest on top.
  // Free slots only shrink within a call, so a class found out of play stays out.
  auto& in_play = i.class_heap;
  in_play.clear();
  const auto later = [](const auto& a, const auto& b) { return b.first < a.first; };
  for (std::uint32_t c = 0; c < class_count; ++c)
    if (i.fleet.requirement(c).free_feasible > 0 && !queues[c].empty()) {
      cursors[c].at = queues[c].begin();
      in_play.emplace_back(*cursors[c].at, c);
    }
  std::make_heap(in_play.begin(), in_play.end(), later);
  std::uint32_t last = no_handle;
  const affinity_lookahead::passed_over_test passed_over = [&](std::uint32_t c, const queue_key& k) {
    return cursors[c].at == queues[c].end() || k < *cursors[c].at;
  };

  while (true) {
    // The class whose next task comes first in queue order, among classes
    // with a free feasible worker; the last one decided goes back in play at
    // its cursor's new task.
    std::uint32_t best = no_handle;
    if (last != no_handle) {
      const auto& cur = cursors[last];
      if (cur.at != queues[last].end() && i.fleet.requirement(last).free_feasible > 0) {
        // Keys in the heap never exceed their class's current key (a stale
        // one is re-keyed upward), so one below the top comes first: no heap traffic.
        if (in_play.empty() || *cur.at < in_play.front().first) {
          best = last;
        } else {
          in_play.emplace_back(*cur.at, last);
          std::push_heap(in_play.begin(), in_play.end(), later);
        }
      }
    }
    while (!in_play.empty() && best == no_handle) {
      std::pop_heap(in_play.begin(), in_play.end(), later);
      const auto [key, c] = in_play.back();
      in_play.pop_back();
      if (i.fleet.requirement(c).free_feasible <= 0 || cursors[c].at == queues[c].end()) continue;
      if (cursors[c].at->handle != key.handle) {
        // The affinity lookahead took the task its entry was keyed by: re-key.
        in_play.emplace_back(*cursors[c].at, c);
        std::push_heap(in_play.begin(), in_play.end(), later);
        continue;
      }
      best = c;
    }
    if (best == no_handle) break;
    last = best;

    const auto& cls = i.fleet.requirement(best);
    auto& pending = queues[best];
    auto& cur = cursors[best];
    const task_handle h = cur.at->handle;
    auto& r = i.tasks[h];
    const int priority = cur.at->priority;

    // Candidates. A requeued task avoids its last worker when another one is feasible.
    std::size_t avoided = no_worker_index;
    if (r.avoid_worker != affinity_map::no_key && cls.feasible.size() > 1)
      for (std::size_t w : cls.feasible)
        if (i.fleet.worker(w).affinity_key == r.avoid_worker) avoided = w;
    // Free candidates come from the feasible profiles' free lists (few in a
    // busy fleet); the flat lists are only built for policies that read them
    // (others walk the profiles through the view).
    i.free_scratch.clear();
    i.busy_scratch.clear();
    std::size_t free_count = 0;
    if (wants_free) {
      std::size_t contributing = 0;
      for (auto p : cls.profiles) {
        const auto& members = i.fleet.profile(p).free_members;
        if (members.empty()) continue;
        ++contributing;
        i.free_scratch.insert(i.free_scratch.end(), members.begin(), members.end());
      }
      if (contributing > 1) std::sort(i.free_scratch.begin(), i.free_scratch.end());
      if (avoided != no_worker_index) std::erase(i.free_scratch, avoided);
      free_count = i.free_scratch.size();
    } else {
      for (auto p : cls.profiles) free_count += i.fleet.profile(p).free_members.size();
      if (avoided != no_worker_index && i.fleet.worker(avoided).has_free_slot()) --free_count;
    }
    if (wants_busy && free_count > 0)
      for (std::size_t w : cls.feasible)
        if (!i.fleet.worker(w).has_free_slot() && w != avoided) i.busy_scratch.push_back(w);

    std::optional<std::size_t> choice;
    std::size_t pass_over = 1;
    // The smallest pass-over from which any larger one has the same effect:
    // the tasks of the class left, or 1 when out of deferrals at its lowest priority.
    const std::size_t ending_turn =
        cur.deferrals + 1 >= max_deferrals && end_of_priority(pending, priority) == pending.size()
            ? 1
            : pending.size() - cur.passed;
    // A deferral that its certificate still proves is repeated without asking the policy.
    const auto step = static_cast<std::size_t>(cur.deferrals);
    const std::size_t certified =
        free_count > 0 ? i.deferral.certified_pass_over(best, h, step, cur.passed, ending_turn, avoided, now_s,
                                                        parts)
                       : 0;
    if (free_count > 0 && certified == 0) {
      i.begin_decision(r.body, h);
      auto& decision = i.cache.current();
      decision.deferred_ahead = cur.passed;
      decision.ending_turn = ending_turn;
      decision.profiles = cls.profiles;
      decision.avoided = avoided;
      choice = i.policy->choose(r.body, i.free_scratch, i.busy_scratch, view, now_s);
      const auto is_candidate = [&](std::size_t w) {
        if (wants_free) return std::binary_search(i.free_scratch.begin(), i.free_scratch.end(), w);
        return w < i.fleet.size() && w != avoided && i.fleet.worker(w).has_free_slot() &&
               std::binary_search(cls.profiles.begin(), cls.profiles.end(), i.fleet.worker(w).profile);
      };
      if (choice && !is_candidate(*choice)) {
        i.end_decision();
        throw std::logic_error("policy '" + std::string{i.policy->name()} +
                               "' chose a worker without a free feasible slot");
      }
    }

    if (!choice) {
      if (free_count > 0) {
        i.statistics.count_deferral();
        ++cur.deferrals;
        if (r.first_deferred_at_s < 0.0) {
          r.first_deferred_at_s = finite_or(now_s, 0.0);
          i.queue.note_deferred(r);
        }
        if (certified > 0) {
          pass_over = certified;
        } else {
          pass_over = std::max<std::size_t>(1, i.hooks->deferral_pass_over());
          i.deferral.certify(best, h, step, cur.passed, i.hooks->last_deferral_bound(), parts);
        }
        if (i.explanations.enabled()) i.explanations.keep(i.explain_task(r.body, h, now_s));
        // Held: the tasks the deferral passes over, up to the end of the turn (out of deferrals at the class's
        // lowest priority, only this one: the rest are passed over for the cap, as a certificate says).
        hold_counted_slots(r, best, cur.passed, std::min(pass_over, ending_turn), i.config.deferral_margin, now_s,
                           parts);
      }
      i.end_decision();
      // The tasks passed over stay pending; they are reconsidered next call.
      // Out of deferrals, the class goes on at least at its first task of a
      // lower priority (`passed` counts the tasks before the cursor:
      // placements erase at the cursor).
      std::size_t next = cur.passed + std::min(pass_over, pending.size() - cur.passed);
      if (cur.deferrals >= max_deferrals) next = std::max(next, end_of_priority(pending, priority));
      cur.passed = next;
      cur.at = next == pending.size() ? pending.end() : pending.find_by_order(next);
      continue;
    }

    const std::size_t w = *choice;
    if (const auto warm_h = i.lookahead.find(h, w, parts, passed_over); warm_h != no_handle) {
      i.lookahead.count_taken(r);
      i.end_decision();
      auto& p = i.tasks[warm_h];
      auto& pc = cursors[p.class_id];
      auto it = queues[p.class_id].find(p.key);
      const bool cursor_here = pc.at == it;
      auto next = i.queue.take(i.tasks, p.class_id, it);
      if (cursor_here) pc.at = next;
      const auto predicted = i.predicted_on(p.body, w);
      const double score = i.policy->explain(p.body, w, view, now_s).total;
      if (i.explanations.enabled()) {
        auto e = i.explain_task(p.body, warm_h, now_s);
        e.winner = i.fleet.worker(w).cap.id;
        e.outcome = "placed: its model is warm on " + i.fleet.worker(w).cap.id + ", ahead of " + r.body.id;
        i.explanations.keep(std::move(e));
      }
      i.place(warm_h, w, now_s, score, predicted, out);
      continue;  // the head task stays; the next iteration finds it a worker
    }
    const auto predicted = i.predicted_on(r.body, w);
    double score = 0.0;
    if (auto s = i.hooks->last_choice_score()) score = *s;
    else score = i.policy->explain(r.body, w, view, now_s).total;
    if (i.explanations.enabled()) {
      auto e = i.explain_task(r.body, h, now_s);
      e.winner = i.fleet.worker(w).cap.id;
      e.outcome = "placed";
      i.explanations.keep(std::move(e));
    }
    i.end_decision();
    cur.at = i.queue.take(i.tasks, best, cur.at);
    i.place(h, w, now_s, score, predicted, out);
  }
  i.holds.reset(i.fleet.profile_count(), class_count);  // views read between calls see no holds
  // Idle devices the waiting tasks' models never ran on: probed (after the decisions, so a probe takes no slot a
  // decision wanted).
  i.probes.place(now_s, parts, [&](const probe_choice& choice) { i.start_probe(choice, now_s, out); },
                 i.backups.committed_s());
  i.backups.note_next_overdue(now_s);
  return out;
}

std::optional<double> scheduler_core::next_wakeup_s() const {
  const auto& i = *impl_;
  const double wakeup = i.backups.wakeup_s();
  if (!std::isfinite(wakeup) || wakeup <= i.statistics.last_now_s()) return std::nullopt;
  return wakeup;
}

result_effect scheduler_core::record_result(const task_result& result, double now_s) {
  auto& i = *impl_;
  i.statistics.observe(now_s);
  i.backups.note_result();
  const double duration = result.duration_s;
  const bool valid_duration = std::isfinite(duration) && duration >= 0.0;
  const task_status status = is_final(result.status) ? result.status : task_status::failed;
  const bool success = status == task_status::succeeded;

  const auto h = i.tasks.find(result.task_id);
  task_record* r = (h != no_handle && i.tasks[h].live) ? &i.tasks[h] : nullptr;
  if (r && is_final(r->status)) r = nullptr;  // a late duplicate result: learn, do not recount
  // The losing attempt of a task with a backup was cancelled by the caller: nothing to learn.
  if (!r && status == task_status::cancelled) return {};

  result_effect effect;
  const std::size_t reporter = i.fleet.find(result.worker_id);
  if (r && r->first.probe && !r->has_backup() && status == task_status::timed_out && reporter != no_worker_index &&
      static_cast<int>(reporter) == r->first.worker) {
    // A probe cut off: its run time there is still a guess (the guess said longer), the task waits again in its
    // place.
    i.cut_probe(h, now_s);
    effect.requeued = true;
    return effect;
  }
  attempt_outcome outcome{&result, status, valid_duration};
  if (r) {
    outcome.family = r->specialization_family;
    outcome.family_known = r->body.model == result.model;
  }
  int wi = no_worker;
  const bool from_backup =
      r && r->has_backup() && reporter != no_worker_index && static_cast<int>(reporter) == r->backup.worker;
  if (r && r->has_backup() && !success) {
    // One of two attempts failed: the other keeps the task.
    wi = from_backup ? r->backup.worker : r->first.worker;
    if (from_backup) i.drop_backup(h, now_s);
    else i.promote_backup(h, now_s);
    effect.still_running = true;
  } else if (r && r->first.worker != no_worker) {
    const int other = !r->has_backup() ? no_worker : from_backup ? r->first.worker : r->backup.worker;
    if (success && valid_duration) outcome.made = (from_backup ? r->backup : r->first).made();
    // A probe finishes where its device is fast for its model: evidence about that model alone.
    outcome.selected = !from_backup && r->first.probe;
    // The copy lost: its slot time was spent for nothing.
    if (success && other != no_worker && !from_backup)
      i.backups.count_wasted(std::max(0.0, finite_or(now_s - r->backup.placed_at_s, 0.0)));
    if (from_backup) {
      // The first attempt ran at least this long there: learned as a lower
      // bound; its slot time was spent for nothing.
      const double ran_s = now_s - r->first.placed_at_s;
      if (success && std::isfinite(ran_s) && ran_s > 0.0) {
        i.backups.count_wasted(ran_s);
        outcome.lost_worker = static_cast<std::size_t>(r->first.worker);
        outcome.lost_ran_s = ran_s;
      }
      i.promote_backup(h, now_s);  // the first attempt's slot is freed here
      i.backups.count_won();
    }
    if (other != no_worker) effect.cancel_on_worker = i.fleet.worker(static_cast<std::size_t>(other)).cap.id;
    wi = i.vacate(h, now_s);
  } else if (reporter != no_worker_index) {
    wi = static_cast<int>(reporter);
  }
  if (wi != no_worker) {
    ++i.fleet.worker(static_cast<std::size_t>(wi)).completed;
    outcome.worker = static_cast<std::size_t>(wi);
  }
  i.learned.learn(outcome, i.fleet);
  i.statistics.count_result(result, success && valid_duration);
  // A batch queued on guesses takes its order from history as it comes in.
  if (r && success && valid_duration && r->affinity_model != affinity_map::no_key)
    i.queue.refine_guesses(i.tasks, r->affinity_model, r->variant, i.learned.predictor);

  if (r && !effect.still_running) {
    if (r->status == task_status::pending) i.queue.dequeue(i.tasks, h);
    i.statistics.set_status(*r, status);
    // Failed and timed-out attempts keep their body for requeue().
    if (status == task_status::succeeded || status == task_status::cancelled) i.tasks.retire(h);
  }
  i.policy->on_result(result);
  return effect;
}

void scheduler_core::learn_from_history(const task_result& result, const worker_capability& worker) {
  impl_->learned.learn_from_history(result, worker, impl_->fleet);
}

void scheduler_core::release_planned(const std::string& task_id, double now_s) {
  auto& i = *impl_;
  const auto h = i.tasks.find(task_id);
  if (h == no_handle || i.tasks[h].first.worker == no_worker)
    throw std::invalid_argument("release_planned: task '" + task_id + "' is not placed");
  i.statistics.observe(now_s);
  auto& r = i.tasks[h];
  i.vacate(h, now_s);
  i.statistics.count_planned(r);
  r.status = task_status::succeeded;  // final for lifecycle purposes; counted as "planned"
  i.tasks.retire(h);
}

std::size_t scheduler_core::pending_count() const { return impl_->queue.size(); }
std::size_t scheduler_core::running_count() const { return impl_->fleet.running(); }

std::optional<decision_explanation> scheduler_core::explanation(const std::string& task_id) const {
  return impl_->explanations.find(task_id);
}

decision_explanation scheduler_core::explain_now(const task& t, double now_s) const {
  const auto h = impl_->tasks.find(t.id);
  const bool same = h != no_handle && &impl_->tasks[h].body == &t;
  return impl_->explain_task(t, same ? h : no_handle, now_s);
}

scheduler_stats scheduler_core::stats() const {
  const auto& i = *impl_;
  scheduler_stats s = stats_summary();
  s.specialization = i.learned.specialization.entries();
  s.model_family_distribution = i.statistics.family_distribution();
  s.performance_metric_counts = i.statistics.metric_counts();
  return s;
}

scheduler_stats scheduler_core::stats_summary() const {
  const auto& i = *impl_;
  auto predictions = i.learned.prediction_errors().summary();
  const auto accuracy = i.learned.predictor.accuracy();
  predictions.p90_samples = accuracy.p90_samples;
  predictions.at_or_under_p90 = accuracy.at_or_under_p90;
  return i.statistics.summary({std::string{i.policy->name()}, i.fleet, i.learned.affinity, predictions,
                               i.backups.started(), i.backups.won(), i.backups.wasted_s(), i.probes.started(),
                               i.probes.cut(), i.probes.cut_slot_s(), i.lookahead.taken(),
                               i.queue.size()});
}

const scheduler_config& scheduler_core::config() const { return impl_->config; }
const execution_predictor& scheduler_core::predictor() const { return impl_->learned.predictor; }
execution_predictor& scheduler_core::predictor() { return impl_->learned.predictor; }
const affinity_map& scheduler_core::affinity() const { return impl_->learned.affinity; }
const specialization_tracker& scheduler_core::specialization() const { return impl_->learned.specialization; }
const std::vector<worker_capability>& scheduler_core::workers() const { return impl_->fleet.capabilities(); }

} // namespace dtf
