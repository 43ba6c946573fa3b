#include "scheduler/core/slot_holds.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

void slot_holds::reset(std::size_t profile_count, std::size_t class_count) {
  held_s_.assign(profile_count, 0.0);
  for (auto c : touched_)
    if (c < own_s_.size()) own_s_[c].clear();
  touched_.clear();
  if (own_s_.size() < class_count) own_s_.resize(class_count);
  found_.clear();
}

std::size_t slot_holds::taken_by_others(std::uint32_t c, std::uint32_t p, double d_s) const {
  if (p >= held_s_.size() || !(held_s_[p] > 0.0) || !(d_s > 0.0)) return 0;
  double others_s = held_s_[p];
  if (c < own_s_.size())
    for (const auto& [profile, s] : own_s_[c])
      if (profile == p) others_s -= s;
  const double tasks = std::floor(others_s / d_s + 1e-9);
  return tasks > 0.0 ? static_cast<std::size_t>(std::min(tasks, 1e9)) : 0;
}

void slot_holds::hold(std::uint32_t c, std::size_t ahead, std::size_t held) {
  if (held == 0 || found_.empty()) return;
  if (c >= own_s_.size()) own_s_.resize(c + 1);
  auto& own = own_s_[c];
  if (own.empty()) touched_.push_back(c);
  for (const auto& f : found_) {
    const std::size_t skipped = std::min(ahead, f.tasks);
    ahead -= skipped;
    const std::size_t here = std::min(held, f.tasks - skipped);
    if (here == 0) continue;
    held -= here;
    const double s = static_cast<double>(here) * f.d_s;
    if (f.profile < held_s_.size()) held_s_[f.profile] += s;
    const auto it = std::find_if(own.begin(), own.end(), [&](const auto& e) { return e.first == f.profile; });
    if (it != own.end()) it->second += s;
    else own.emplace_back(f.profile, s);
    if (held == 0) return;
  }
}

} // namespace dtf
