#pragma once
// Workers that left the fleet (lost, not ended by the run) and may come back:
// their last capability, so that a task only they could run waits for them
// instead of ending unplaceable. A worker that registers again under its id
// is no longer departed.
#include "scheduler/model/task.hpp"
#include "scheduler/model/worker.hpp"

#include <string>
#include <vector>

namespace dtf {

class departed_workers {
public:
  /// Remembers the worker's capability (the latest, if it left before).
  void depart(const worker_capability& worker);
  /// The worker registered again: forgets it.
  void returned(const std::string& worker_id);
  /// Ids of the departed workers whose capability passes the task's filters,
  /// in the order they left.
  std::vector<std::string> able_to_run(const task_requirements& req) const;
  bool empty() const { return workers_.empty(); }

private:
  std::vector<worker_capability> workers_;  // in the order they left
};

} // namespace dtf
