#pragma once
// The order of the pending queue: priority high first; then tasks that waited
// too long (aged: in the order they aged in the intelligent policy's queue,
// pending_queue's in_aging_order, else in submission order); then predicted
// duration (at submission, or from the model's history once there is some
// for a task queued on a guess: pending_queue::refine_guesses) long first -- or short
// first where the policy orders so (policy_hooks::orders_shortest_first;
// every key of one queue alike) -- then submission sequence, then handle.
#include <cstdint>
#include <limits>

namespace dtf {

/// A task's slot in the core's task table.
using task_handle = std::uint32_t;
inline constexpr task_handle no_handle = std::numeric_limits<task_handle>::max();
/// A worker's index in the fleet (registration order); no_worker: none.
inline constexpr int no_worker = -1;
inline constexpr std::size_t no_worker_index = std::numeric_limits<std::size_t>::max();

struct queue_key {
  int priority = 0;
  double predicted_s = 0.0;
  std::uint64_t sequence = 0;
  task_handle handle = 0;
  bool aged = false;
  double aged_at_s = 0.0;  // when it aged, in the core's clock (0: in submission order)
  bool shortest_first = false;  // the same in every key of a queue
  bool operator<(const queue_key& o) const {
    if (priority != o.priority) return priority > o.priority;
    if (aged != o.aged) return aged;
    // Shortest first: a short task that aged before a long one goes first; in
    // submission order, every overtaken task would end up first come first
    // served under sustained load, and shortest first's gain gone.
    if (aged && aged_at_s != o.aged_at_s) return aged_at_s < o.aged_at_s;
    if (aged && sequence != o.sequence) return sequence < o.sequence;
    if (predicted_s != o.predicted_s) return shortest_first ? predicted_s < o.predicted_s : predicted_s > o.predicted_s;
    if (sequence != o.sequence) return sequence < o.sequence;
    return handle < o.handle;
  }
};

} // namespace dtf
