#pragma once
// Pending tasks: one queue per requirement class in queue_key order (with the
// k-th element in O(log n), so schedule() passes over runs of tasks without
// stepping through them), aging (a task that waited too long moves ahead of
// younger, longer ones), and -- when the affinity lookahead is on -- per model
// indexes of the pending tasks in queue order.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/queue_key.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <cstddef>
#include <cstdint>
#include <ext/pb_ds/assoc_container.hpp>
#include <functional>
#include <ext/pb_ds/tree_policy.hpp>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dtf {

using class_queue = __gnu_pbds::tree<queue_key, __gnu_pbds::null_type, std::less<queue_key>, __gnu_pbds::rb_tree_tag,
                                     __gnu_pbds::tree_order_statistics_node_update>;

class pending_queue {
public:
  /// aging_factor: a task ages after factor x max(its predicted s, 1) of
  /// waiting, in the core's clock (task_record::key_scheduler_s_per_s; 0: never). by_model: keep the per-model indexes. refines:
  /// keep the tasks queued on guessed estimates by model (refine_guesses).
  /// in_aging_order: aged tasks in the order they aged (else in submission order).
  /// refines_variants: with `refines`, tasks queued by their model's time also move to their variant's
  /// (scheduler_config::learn_task_variants).
  pending_queue(double aging_factor, bool by_model, bool refines = false, bool in_aging_order = false,
                bool refines_variants = false)
    : aging_factor_(aging_factor), by_model_(by_model), refines_(refines), in_aging_order_(in_aging_order),
      refines_variants_(refines && refines_variants) {}

  /// Queues live task h (no-op when its key is queued already); its aging
  /// clock starts at last_now_s, the latest time the core has seen.
  void enqueue(task_table& tasks, task_handle h, double last_now_s);
  /// Takes h out of its queue (no-op when it is not queued).
  void dequeue(task_table& tasks, task_handle h);
  /// Erases the entry at `at` of class c's queue (a task being placed) and
  /// forgets its aging and indexes; returns the next entry.
  class_queue::iterator take(task_table& tasks, std::uint32_t c, class_queue::iterator at);
  /// A task a policy held back for the first time: the lookahead skips it from now on.
  void note_deferred(const task_record& r);
  /// Moves tasks past their aging time ahead of un-aged ones.
  void promote_aged(task_table& tasks, double now_s);
  /// A run of `model` (of `variant`, model/task_variant.hpp) succeeded: its
  /// pending tasks queued on a guess whose worker-independent estimate now
  /// comes from the model's history move to their place by it (their aging
  /// time moves by the change, from the same start), and so do the tasks of
  /// the variant queued by their model's history. Each task moves at most
  /// twice. No-op unless constructed with `refines`.
  void refine_guesses(task_table& tasks, affinity_map::key model, const std::string& variant,
                      const execution_predictor& predictor);
  /// A submission at now_s; a later one than all before lets parked tasks age.
  void note_submission(task_table& tasks, double now_s);

  class_queue& of_class(std::uint32_t c) {
    if (c >= queues_.size()) [[unlikely]] queues_.resize(c + 1);
    return queues_[c];
  }
  /// The queues of classes 0 .. count - 1 (for a schedule() call: no class is created during one).
  std::span<class_queue> classes(std::size_t count) {
    if (count > queues_.size()) queues_.resize(count);
    return {queues_.data(), count};
  }
  const class_queue& of_class(std::uint32_t c) const { return c < queues_.size() ? queues_[c] : empty_; }
  std::size_t size() const { return pending_; }
  bool by_model() const { return by_model_; }
  /// The pending tasks of a model in queue order (nullptr when none were ever
  /// indexed); `undeferred`: only those no policy held back.
  const std::set<queue_key>* of_model(affinity_map::key model, bool undeferred) const;

private:
  void age(task_table& tasks, task_handle h, double aged_at_s);
  void index_by_model(const task_record& r);
  void unindex_by_model(const task_record& r);
  void forget(task_record& r);
  /// Takes r's key out of its queue and indexes, applies `change`, puts it
  /// back; false (nothing changed) when r is not queued.
  bool replace_key(task_record& r, const std::function<void(queue_key&)>& change);
  void rekey(task_table& tasks, task_handle h, double predicted_s);
  double& ages_at(task_handle h);

  double aging_factor_ = 0.0;
  bool by_model_ = false;
  bool refines_ = false;
  bool in_aging_order_ = false;
  bool refines_variants_ = false;
  std::vector<class_queue> queues_;  // by requirement class
  class_queue empty_;
  std::size_t pending_ = 0;
  // Pending tasks by the time they age.
  std::set<std::pair<double, task_handle>> aging_;
  std::vector<double> ages_at_s_;  // by handle: key in aging_ (infinity: none)
  // Past their aging time but submitted with the latest submissions: nothing
  // arrived after them, so nothing overtook them (a batch keeps its order).
  std::vector<std::tuple<task_handle, std::uint64_t, double>> aging_parked_;  // handle, sequence, aging time
  double last_submission_s_ = -std::numeric_limits<double>::infinity();
  std::unordered_map<affinity_map::key, std::set<queue_key>> by_model_all_;         // lookups only
  std::unordered_map<affinity_map::key, std::set<queue_key>> by_model_undeferred_;  // lookups only
  std::unordered_map<affinity_map::key, std::set<task_handle>> guessed_by_model_;   // lookups only
  std::unordered_map<std::string, std::set<task_handle>> variant_unknown_;  // by variant; lookups only
};

} // namespace dtf
