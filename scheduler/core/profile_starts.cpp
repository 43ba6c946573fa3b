#include "scheduler/core/profile_starts.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

void profile_starts::note(std::uint32_t profile, double start_s, double submitted_s, double predicted_s) {
  if (profile >= by_profile_.size()) by_profile_.resize(profile + 1);
  auto& r = by_profile_[profile];
  r.starts[r.next] = {start_s, submitted_s, std::isfinite(predicted_s) ? std::max(predicted_s, 0.0) : 0.0};
  r.next = (r.next + 1) % kept;
  if (r.count < kept) ++r.count;
}

double profile_starts::share_claimed_since(std::uint32_t profile, double since_s, double now_s, int slots) const {
  if (profile >= by_profile_.size() || !(since_s >= 0.0) || !(now_s > since_s) || slots <= 0) return 0.0;
  const auto& r = by_profile_[profile];
  double claimed_s = 0.0;
  double from_s = since_s;
  // Newest first: the walk stops at the first start not after since_s.
  std::size_t k = 1;
  for (; k <= r.count; ++k) {
    const auto& s = r.starts[(r.next + kept - k) % kept];
    if (!(s.start_s > since_s)) break;
    if (s.submitted_s > since_s) claimed_s += s.predicted_s;
  }
  // Every kept start is after since_s: the earlier ones are forgotten, so the share is over the kept ones' time.
  if (k > r.count && r.count == kept) from_s = std::max(since_s, r.starts[r.next].start_s);
  if (!(now_s > from_s)) from_s = since_s;
  return std::clamp(claimed_s / ((now_s - from_s) * slots), 0.0, 1.0);
}

} // namespace dtf
