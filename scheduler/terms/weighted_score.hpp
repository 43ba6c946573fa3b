#pragma once
// The one place where terms, weights and enable switches meet.
#include "scheduler/terms/score_term.hpp"

#include <array>
#include <span>
#include <vector>

namespace dtf {

struct weighted_term {
  const score_term* term;
  double scoring_weights::*weight;
  /// nullptr: always on; else the scheduler_config switch that enables it.
  bool scheduler_config::*enabled;
};

/// Every term with its weight and switch, in explanation order.
std::span<const weighted_term> weighted_terms();

/// The term's value clamped into its documented range (NaN -> 0 clamped).
double bounded_value(const score_term& term, const term_context& ctx);

/// Sum of weight x value over the enabled terms. When `out` is given, appends
/// one term_value per enabled term.
double weighted_score(const term_context& ctx, const scheduler_config& config, std::vector<term_value>* out = nullptr);

/// weighted_score for the members of one worker profile (workers alike in
/// capability) that report no live metrics: every term but specialization,
/// affinity and load is then the same for all of them and is evaluated once,
/// for a representative member; total() takes those three per member and adds
/// in weighted_score's order. With a member's own values it equals
/// weighted_score bit for bit; with upper bounds of them it is an upper bound
/// of the member's score (rounding is monotone; the three weights are not negative).
class profile_score_plan {
public:
  /// False when the plan does not apply: a term the plan does not know is
  /// enabled, or one of the three per-member terms has a negative weight.
  bool prepare(const term_context& representative, const scheduler_config& config);
  double total(double specialization, double affinity, double load) const;

private:
  struct step {
    double weight = 0.0;
    double value = 0.0;             // slot < 0: the term's value for every member
    int slot = -1;                  // 0 specialization, 1 affinity, 2 load
    double min_value = 0.0, max_value = 0.0;
  };
  std::array<step, 16> steps_{};
  std::size_t count_ = 0;
};

} // namespace dtf
