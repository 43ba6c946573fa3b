#include "scheduler/core/pending_queue.hpp"

#include "scheduler/core/finite.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

double& pending_queue::ages_at(task_handle h) {
  if (h >= ages_at_s_.size()) ages_at_s_.resize(h + 1, infinity);
  return ages_at_s_[h];
}

void pending_queue::enqueue(task_table& tasks, task_handle h, double last_now_s) {
  auto& r = tasks[h];
  if (!of_class(r.class_id).insert(r.key).second) return;
  index_by_model(r);
  if (refines_ && r.key_guessed && r.affinity_model != affinity_map::no_key)
    guessed_by_model_[r.affinity_model].insert(h);
  if (refines_variants_ && r.key_variant_unknown) variant_unknown_[r.variant].insert(h);
  ++pending_;
  const double factor = finite_or(aging_factor_, 0.0);
  if (!r.key.aged && factor > 0.0) {
    auto& at = ages_at(h);
    at = finite_or(last_now_s, 0.0) + factor * std::max(r.key.predicted_s * r.key_scheduler_s_per_s, 1.0);
    if (std::isfinite(at)) aging_.emplace(at, h);
  }
}

void pending_queue::refine_guesses(task_table& tasks, affinity_map::key model, const std::string& variant,
                                   const execution_predictor& predictor) {
  if (!refines_) return;
  if (auto it = guessed_by_model_.find(model); it != guessed_by_model_.end()) {
    auto& guessed = it->second;
    for (auto g = guessed.begin(); g != guessed.end();) {
      auto& r = tasks[*g];
      const auto estimate = predictor.predict(r.body);
      if (!from_model_history(estimate.level)) {
        ++g;
        continue;
      }
      r.key_guessed = false;
      rekey(tasks, *g, estimate.seconds);
      // By the model's runs: its variant's first run moves it again.
      if (refines_variants_ && !r.variant.empty() && !predictor.knows_variant(r.variant, r.body.type)) {
        r.key_variant_unknown = true;
        variant_unknown_[r.variant].insert(*g);
      }
      g = guessed.erase(g);
    }
  }
  if (variant.empty()) return;
  auto it = variant_unknown_.find(variant);
  if (it == variant_unknown_.end()) return;
  for (auto h : it->second) {
    auto& r = tasks[h];
    r.key_variant_unknown = false;
    rekey(tasks, h, predictor.predict(r.body).seconds);
  }
  variant_unknown_.erase(it);
}

bool pending_queue::replace_key(task_record& r, const std::function<void(queue_key&)>& change) {
  auto& queue = of_class(r.class_id);
  if (queue.erase(r.key) == 0) return false;
  unindex_by_model(r);
  change(r.key);
  queue.insert(r.key);
  index_by_model(r);
  return true;
}

void pending_queue::rekey(task_table& tasks, task_handle h, double predicted_s) {
  auto& r = tasks[h];
  const double was_s = r.key.predicted_s;
  if (was_s == predicted_s || !replace_key(r, [&](queue_key& k) { k.predicted_s = predicted_s; })) return;
  auto& at = ages_at(h);
  if (at == infinity) return;
  aging_.erase({at, h});
  const double scale = r.key_scheduler_s_per_s;
  at += finite_or(aging_factor_, 0.0) * (std::max(predicted_s * scale, 1.0) - std::max(was_s * scale, 1.0));
  if (std::isfinite(at)) aging_.emplace(at, h);
  else at = infinity;
}

void pending_queue::forget(task_record& r) {
  if (r.key_guessed && r.affinity_model != affinity_map::no_key)
    if (auto it = guessed_by_model_.find(r.affinity_model); it != guessed_by_model_.end()) it->second.erase(r.key.handle);
  if (r.key_variant_unknown)
    if (auto it = variant_unknown_.find(r.variant); it != variant_unknown_.end()) {
      it->second.erase(r.key.handle);
      if (it->second.empty()) variant_unknown_.erase(it);
    }
  unindex_by_model(r);
  auto& at = ages_at(r.key.handle);
  if (at != infinity) aging_.erase({at, r.key.handle});
  at = infinity;
  --pending_;
}

void pending_queue::dequeue(task_table& tasks, task_handle h) {
  auto& r = tasks[h];
  if (of_class(r.class_id).erase(r.key) > 0) forget(r);
}

class_queue::iterator pending_queue::take(task_table& tasks, std::uint32_t c, class_queue::iterator at) {
  auto& r = tasks[at->handle];
  auto next = of_class(c).erase(at);
  forget(r);
  return next;
}

void pending_queue::note_deferred(const task_record& r) {
  if (r.affinity_model == affinity_map::no_key || !by_model_) return;
  by_model_undeferred_[r.affinity_model].erase(r.key);
}

// Tasks that waited past their aging time while later submissions could
// overtake them move ahead of the un-aged ones (no starvation of short tasks
// behind a stream of longer ones).
void pending_queue::promote_aged(task_table& tasks, double now_s) {
  while (!aging_.empty() && aging_.begin()->first <= now_s) {
    const auto [at_s, h] = *aging_.begin();
    aging_.erase(aging_.begin());
    ages_at(h) = infinity;
    const auto& r = tasks[h];
    if (r.submitted_at_s < last_submission_s_) age(tasks, h, at_s);
    else aging_parked_.emplace_back(h, r.key.sequence, at_s);
  }
}

void pending_queue::age(task_table& tasks, task_handle h, double aged_at_s) {
  auto& r = tasks[h];
  if (r.key.aged) return;
  replace_key(r, [&](queue_key& k) {
    k.aged = true;
    k.aged_at_s = in_aging_order_ ? aged_at_s : 0.0;
  });
}

void pending_queue::note_submission(task_table& tasks, double now_s) {
  if (!(now_s > last_submission_s_)) return;
  last_submission_s_ = now_s;
  for (auto [h, sequence, aged_at_s] : aging_parked_)
    if (tasks[h].live && tasks[h].key.sequence == sequence && tasks[h].status == task_status::pending)
      age(tasks, h, aged_at_s);
  aging_parked_.clear();
}

void pending_queue::index_by_model(const task_record& r) {
  if (r.affinity_model == affinity_map::no_key || !by_model_) return;
  by_model_all_[r.affinity_model].insert(r.key);
  if (r.first_deferred_at_s < 0.0) by_model_undeferred_[r.affinity_model].insert(r.key);
}

void pending_queue::unindex_by_model(const task_record& r) {
  if (r.affinity_model == affinity_map::no_key || !by_model_) return;
  if (auto it = by_model_all_.find(r.affinity_model); it != by_model_all_.end()) it->second.erase(r.key);
  if (auto it = by_model_undeferred_.find(r.affinity_model); it != by_model_undeferred_.end()) it->second.erase(r.key);
}

const std::set<queue_key>* pending_queue::of_model(affinity_map::key model, bool undeferred) const {
  const auto& index = undeferred ? by_model_undeferred_ : by_model_all_;
  auto it = index.find(model);
  return it == index.end() ? nullptr : &it->second;
}

} // namespace dtf
