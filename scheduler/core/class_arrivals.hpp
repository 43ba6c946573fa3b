#pragma once
// Recent submissions per requirement class. Online, tasks that only one
// profile can run keep arriving: a task that waits for that profile's busy
// slots finds them taken by the ones that arrive meanwhile, as by those
// already waiting (deferral.cpp). A batch submits at once: no rate, its
// waiting tasks say it all.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace dtf {

class class_arrivals {
public:
  /// A task of class `class_id` submitted at submitted_s (never decreasing),
  /// predicted to run predicted_s (both in the core's clock: the estimate
  /// times task_record::key_scheduler_s_per_s).
  void note(std::uint32_t class_id, double submitted_s, double predicted_s);
  /// The class's submissions per second, from its last `kept`: the newest
  /// count - 1 over their span. 0 with fewer than two, when they came at
  /// once, or when none came for `quiet_gaps` mean gaps before now_s (they
  /// stopped).
  double rate_per_s(std::uint32_t class_id, double now_s) const;
  /// ... and the predicted seconds of work they bring per second (the same
  /// submissions, each at its prediction when submitted).
  double work_per_s(std::uint32_t class_id, double now_s) const;
  /// Whether submissions are arriving: some class has a rate at now_s.
  bool any_arriving(double now_s) const;
  /// Whether the submissions are over, as far as the core can tell: none
  /// arriving (any_arriving), and none for at least as long as they spanned
  /// -- a batch (one instant) at once, a stream not in a lull shorter than
  /// what came before it (a night between working days).
  bool submissions_over(double now_s) const;

  static constexpr std::size_t kept = 16;
  static constexpr double quiet_gaps = 3.0;

private:
  struct recent {
    std::array<double, kept> submitted_s{};
    std::array<double, kept> predicted_s{};
    std::size_t next = 0;   // where the next submission goes
    std::size_t count = 0;  // at most kept
  };
  /// The span and the mean gap of the class's recent submissions, or nothing (no rate).
  bool span_of(std::uint32_t class_id, double now_s, double& span_s, double& gap_s) const;
  std::vector<recent> by_class_;
  double first_s_ = std::numeric_limits<double>::infinity();   // the first submission's time (none: infinity)
  double last_s_ = -std::numeric_limits<double>::infinity();  // the latest's
};

} // namespace dtf
