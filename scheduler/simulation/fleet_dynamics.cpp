#include "scheduler/simulation/fleet_dynamics.hpp"

#include "scheduler/input/input_error.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace dtf {

worker_speed_timeline::worker_speed_timeline(const fleet_dynamics& dynamics,
                                             const std::vector<std::string>& worker_ids)
    : windows_(worker_ids.size()) {
  std::unordered_map<std::string, std::size_t> index;  // lookups only
  for (std::size_t i = 0; i < worker_ids.size(); ++i) index.emplace(worker_ids[i], i);
  for (const auto& s : dynamics.slowdowns) {
    auto it = index.find(s.worker_id);
    if (it == index.end()) throw input_error("", 0, "slowdown", "unknown worker '" + s.worker_id + "'");
    if (!std::isfinite(s.factor) || s.factor < 1.0)
      throw input_error("", 0, "slowdown", "factor for '" + s.worker_id + "' must be a finite number >= 1");
    if (!(s.to_s > s.from_s) || !std::isfinite(s.from_s))
      throw input_error("", 0, "slowdown", "window for '" + s.worker_id + "' must end after it starts");
    windows_[it->second].push_back({s.from_s, s.to_s, s.factor});
  }
  for (std::size_t w = 0; w < windows_.size(); ++w) {
    auto& list = windows_[w];
    std::sort(list.begin(), list.end(), [](const window& a, const window& b) { return a.from_s < b.from_s; });
    for (std::size_t i = 1; i < list.size(); ++i)
      if (list[i].from_s < list[i - 1].to_s)
        throw input_error("", 0, "slowdown", "overlapping windows for '" + worker_ids[w] + "'");
  }
}

double worker_speed_timeline::run_s(std::size_t index, double start_s, double work_s) const {
  double now_s = start_s, left_s = work_s, slowed_s = 0.0;  // slowed_s: wall time lost to windows
  for (const auto& w : windows_[index]) {
    if (w.to_s <= now_s) continue;
    // At full speed until the window opens.
    if (w.from_s > now_s) {
      if (now_s + left_s <= w.from_s) break;
      left_s -= w.from_s - now_s;
      now_s = w.from_s;
    }
    // Inside: work advances 1/factor per second.
    const double window_work_s = (w.to_s - now_s) / w.factor;
    if (left_s <= window_work_s) return work_s + slowed_s + left_s * (w.factor - 1.0);
    left_s -= window_work_s;
    slowed_s += (w.to_s - now_s) - window_work_s;
    now_s = w.to_s;
  }
  return work_s + slowed_s;
}

} // namespace dtf
