#include "scheduler/terms/weighted_score.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace dtf {

namespace {
constexpr bool scheduler_config::*always_on = nullptr;
} // namespace

std::span<const weighted_term> weighted_terms() {
  // Adding a term: its file under terms/, its declaration in score_term.hpp, one line here.
  static const std::array<weighted_term, 10> table = {{
      {&hardware_match_term, &scoring_weights::hardware_match, &scheduler_config::prioritize_hardware_match},
      {&memory_margin_term, &scoring_weights::memory_margin, always_on},
      {&compute_capability_term, &scoring_weights::compute_capability, always_on},
      {&cores_term, &scoring_weights::cores, always_on},
      {&device_match_term, &scoring_weights::device_match, always_on},
      {&specialization_term, &scoring_weights::specialization, &scheduler_config::enable_worker_specialization},
      {&affinity_term, &scoring_weights::affinity, &scheduler_config::enable_task_affinity},
      {&efficiency_term, &scoring_weights::efficiency, &scheduler_config::consider_worker_performance},
      {&load_term, &scoring_weights::load, &scheduler_config::load_balance},
      {&predicted_finish_term, &scoring_weights::predicted_finish, &scheduler_config::enable_predictive_scheduling},
  }};
  return table;
}

double bounded_value(const score_term& term, const term_context& ctx) {
  const double v = term.value(ctx);
  if (std::isnan(v)) return std::clamp(0.0, term.min_value, term.max_value);
  return std::clamp(v, term.min_value, term.max_value);
}

double weighted_score(const term_context& ctx, const scheduler_config& config, std::vector<term_value>* out) {
  double total = 0.0;
  for (const auto& entry : weighted_terms()) {
    if (entry.enabled != nullptr && !(config.*(entry.enabled))) continue;
    const double weight = std::isfinite(config.weights.*(entry.weight)) ? config.weights.*(entry.weight) : 0.0;
    if (weight == 0.0 && out == nullptr) continue;
    const double value = bounded_value(*entry.term, ctx);
    total += weight * value;
    if (out) out->push_back({std::string{entry.term->name}, value, weight, weight * value});
  }
  return total;
}

} // namespace dtf
