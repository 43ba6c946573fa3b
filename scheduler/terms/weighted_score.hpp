#pragma once
// The one place where terms, weights and enable switches meet.
#include "scheduler/terms/score_term.hpp"

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

} // namespace dtf
