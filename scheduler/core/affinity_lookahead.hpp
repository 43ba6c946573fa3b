#pragma once
// Affinity lookahead (delay scheduling): when the head task's model is not
// warm on the worker chosen for it but a pending task of the same priority
// with a model warm there can run on it, that task goes first; the head task
// stays at the head for the next free worker, passed over at most
// affinity_max_skips times. Only where the worker is about as fast for the
// warm task as any (affinity_lookahead_slack), never ahead of tasks only that
// profile can run, never a task a policy deferred or one passed over in this
// call.
#include "scheduler/core/core_parts.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/pending_queue.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace dtf {

class affinity_lookahead {
public:
  affinity_lookahead(const scheduler_config& config, bool enabled) : config_(config), enabled_(enabled) {}
  bool enabled() const { return enabled_; }

  /// Whether a pending task (its class, its key) was passed over in this call.
  using passed_over_test = std::function<bool(std::uint32_t, const queue_key&)>;
  /// The warm task to place on worker w instead of head task h, or no_handle.
  task_handle find(task_handle h, std::size_t w, const core_parts& in, const passed_over_test& passed_over) const;
  /// Counts a warm task placed ahead of head task `head` (which records the skip).
  void count_taken(task_record& head) {
    ++head.affinity_skips;
    ++taken_;
  }
  std::uint64_t taken() const { return taken_; }

private:
  const scheduler_config& config_;
  bool enabled_ = false;
  std::uint64_t taken_ = 0;
};

} // namespace dtf
