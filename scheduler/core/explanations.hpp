#pragma once
// Decision explanations: built on demand (explain_now, dtf explain) or kept
// per task as decided, the latest keep_explanations of them.
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace dtf {

/// How `policy` decides t against the current state: every worker's filter
/// verdict or score, and the choice preview() makes. `begin_decision` starts
/// the decision cache for t (called before scoring and before the preview);
/// the caller ends it.
decision_explanation explain_decision(const task& t, placement_policy& policy, const scheduler_view& view,
                                      const fleet_index& fleet, const std::function<void()>& begin_decision,
                                      double now_s);

class explanation_store {
public:
  explicit explanation_store(std::size_t limit) : limit_(limit) {}
  bool enabled() const { return limit_ > 0; }
  /// Keeps e as its task's explanation (replacing an earlier one), forgetting the oldest past the limit.
  void keep(decision_explanation e);
  std::optional<decision_explanation> find(const std::string& task_id) const;

private:
  std::size_t limit_ = 0;
  std::map<std::string, decision_explanation> by_task_;
  std::deque<std::string> order_;
};

} // namespace dtf
