#pragma once
// `dtf submit --wait`'s per-worker load: the attempts of its own suite, not
// the coordinator's whole life (whose busy time over the suite's wall time
// gave utilizations capped at 100 % for a suite that ran nothing).
#include "actors/messages.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace dtf::app {

class suite_worker_load {
public:
  /// Counts the attempt an update reports (the suite's tasks' updates only;
  /// any thread). An attempt reported twice counts once.
  void on_update(const task_update& u);
  /// The coordinator's workers with `completed` and `busy_s` replaced by
  /// this suite's attempts on each (0 where it ran none).
  std::vector<worker_load> of_suite(std::vector<worker_load> workers) const;

private:
  struct load {
    std::uint64_t attempts = 0;
    double busy_s = 0.0;  // wall slot-seconds, as the coordinator counts them
  };
  mutable std::mutex mutex_;
  std::set<std::pair<std::string, int>> counted_;  // task id, attempt
  std::map<std::string, load> by_worker_;
};

} // namespace dtf::app
