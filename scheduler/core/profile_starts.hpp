#pragma once
// Recent starts per worker profile: when each attempt started, when its task
// was submitted and how long it was predicted to run there. A deferred task
// waits for one of a busy profile's slots to free; a task submitted after it
// that starts there first claims slot time it counted on (it ranks ahead:
// shorter, of higher priority, or runnable only there). Online such arrivals
// keep coming, and every task that waits for the fast workers adds to the
// queue the later ones find: the share of the profile's slot time that later
// arrivals claimed while the task waited is the share of the freeing slots it
// does not count on (deferral.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dtf {

class profile_starts {
public:
  /// An attempt of a task submitted at submitted_s, predicted to run predicted_s, started at start_s on `profile`
  /// (start_s never decreasing; all in the core's clock: the prediction times its worker's scheduler_s_per_worker_s).
  void note(std::uint32_t profile, double start_s, double submitted_s, double predicted_s);
  /// The share (0-1) of the slot time of the profile's `slots` from since_s to now_s that attempts of tasks
  /// submitted after since_s claimed (their predicted run times) by starting there. Over the profile's last
  /// `kept` starts: when all of them are after since_s, over the time since the oldest. 0 when since_s < 0.
  double share_claimed_since(std::uint32_t profile, double since_s, double now_s, int slots) const;

  static constexpr std::size_t kept = 32;

private:
  struct start {
    double start_s = 0.0;
    double submitted_s = 0.0;
    double predicted_s = 0.0;
  };
  struct recent {
    std::array<start, kept> starts{};
    std::size_t next = 0;   // where the next start goes
    std::size_t count = 0;  // at most kept
  };
  std::vector<recent> by_profile_;
};

} // namespace dtf
