#include "scheduler/core/class_arrivals.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

void class_arrivals::note(std::uint32_t class_id, double submitted_s, double predicted_s) {
  if (!std::isfinite(submitted_s)) return;
  if (!(first_s_ <= submitted_s)) first_s_ = submitted_s;
  last_s_ = std::max(last_s_, submitted_s);
  if (class_id >= by_class_.size()) by_class_.resize(class_id + 1);
  auto& r = by_class_[class_id];
  r.submitted_s[r.next] = submitted_s;
  r.predicted_s[r.next] = std::isfinite(predicted_s) ? std::max(predicted_s, 0.0) : 0.0;
  r.next = (r.next + 1) % kept;
  if (r.count < kept) ++r.count;
}

bool class_arrivals::span_of(std::uint32_t class_id, double now_s, double& span_s, double& gap_s) const {
  if (class_id >= by_class_.size()) return false;
  const auto& r = by_class_[class_id];
  if (r.count < 2) return false;
  const double newest = r.submitted_s[(r.next + kept - 1) % kept];
  const double oldest = r.submitted_s[(r.next + kept - r.count) % kept];
  span_s = newest - oldest;
  if (!(span_s > 0.0)) return false;
  gap_s = span_s / static_cast<double>(r.count - 1);
  return now_s - newest <= quiet_gaps * gap_s;
}

double class_arrivals::rate_per_s(std::uint32_t class_id, double now_s) const {
  double span_s = 0.0, gap_s = 0.0;
  return span_of(class_id, now_s, span_s, gap_s) ? 1.0 / gap_s : 0.0;
}

double class_arrivals::work_per_s(std::uint32_t class_id, double now_s) const {
  double span_s = 0.0, gap_s = 0.0;
  if (!span_of(class_id, now_s, span_s, gap_s)) return 0.0;
  const auto& r = by_class_[class_id];
  double work_s = 0.0;  // of the newest count - 1: those that came within the span
  for (std::size_t k = 1; k < r.count; ++k) work_s += r.predicted_s[(r.next + kept - k) % kept];
  return work_s / span_s;
}

bool class_arrivals::submissions_over(double now_s) const {
  if (any_arriving(now_s)) return false;
  return !(first_s_ <= last_s_) || now_s - last_s_ >= last_s_ - first_s_;
}

bool class_arrivals::any_arriving(double now_s) const {
  for (std::uint32_t c = 0; c < by_class_.size(); ++c)
    if (work_per_s(c, now_s) > 0.0) return true;
  return false;
}

} // namespace dtf
