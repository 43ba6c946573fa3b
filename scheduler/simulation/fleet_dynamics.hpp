#pragma once
// What happens to the fleet during a simulated run, beside the trace: workers
// that join late or leave early (churn), and stretches of time in which a
// worker runs slower (thermal throttling, a noisy neighbour). Ground truth like
// the trace's durations: the simulator applies it, the scheduler only sees the
// effects (workers added and removed, runs that take longer).
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace dtf {

/// The worker runs `factor` times slower in [from_s, to_s).
struct worker_slowdown {
  std::string worker_id;
  double from_s = 0.0;
  double to_s = 0.0;
  double factor = 1.0;
};

/// The worker is registered during [join_s, leave_s). Workers not listed are
/// present throughout; a worker leaving loses the attempts running on it.
struct worker_presence {
  std::string worker_id;
  double join_s = 0.0;
  double leave_s = std::numeric_limits<double>::infinity();
};

struct fleet_dynamics {
  std::vector<worker_slowdown> slowdowns;
  std::vector<worker_presence> presence;
  bool empty() const { return slowdowns.empty() && presence.empty(); }
};

/// Per worker of a fleet, its slowdown windows, answering when work started
/// at some time ends. Throws dtf::input_error for an unknown worker id, a
/// factor below 1 or not finite, an empty window or overlapping windows.
class worker_speed_timeline {
public:
  worker_speed_timeline(const fleet_dynamics& dynamics, const std::vector<std::string>& worker_ids);
  /// Wall seconds that `work_s` seconds of work (at the worker's usual speed)
  /// started at `start_s` on worker `index` take: exactly work_s outside
  /// slowdown windows.
  double run_s(std::size_t index, double start_s, double work_s) const;

private:
  struct window {
    double from_s, to_s, factor;
  };
  std::vector<std::vector<window>> windows_;  // per worker, by from_s
};

} // namespace dtf
