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

bool profile_score_plan::prepare(const term_context& representative, const scheduler_config& config) {
  // Terms that read only the task, the worker's capability, its (absent)
  // metrics and the predicted finish: equal for every member of the profile.
  static const std::array<const score_term*, 7> shared = {&hardware_match_term, &memory_margin_term,
                                                          &compute_capability_term, &cores_term,
                                                          &device_match_term, &efficiency_term,
                                                          &predicted_finish_term};
  static const std::array<const score_term*, 3> per_member = {&specialization_term, &affinity_term, &load_term};
  count_ = 0;
  for (const auto& entry : weighted_terms()) {
    if (entry.enabled != nullptr && !(config.*(entry.enabled))) continue;
    const double weight = std::isfinite(config.weights.*(entry.weight)) ? config.weights.*(entry.weight) : 0.0;
    if (weight == 0.0) continue;
    if (count_ == steps_.size()) return false;
    step s{weight, 0.0, -1, entry.term->min_value, entry.term->max_value};
    if (auto it = std::find(per_member.begin(), per_member.end(), entry.term); it != per_member.end()) {
      if (weight < 0.0) return false;
      s.slot = static_cast<int>(it - per_member.begin());
    } else if (std::find(shared.begin(), shared.end(), entry.term) != shared.end()) {
      s.value = bounded_value(*entry.term, representative);
    } else {
      return false;
    }
    steps_[count_++] = s;
  }
  return true;
}

double profile_score_plan::total(double specialization, double affinity, double load) const {
  const std::array<double, 3> supplied = {specialization, affinity, load};
  double total = 0.0;
  for (std::size_t k = 0; k < count_; ++k) {
    const auto& s = steps_[k];
    double value = s.value;
    if (s.slot >= 0) {
      const double v = supplied[static_cast<std::size_t>(s.slot)];
      value = std::clamp(std::isnan(v) ? 0.0 : v, s.min_value, s.max_value);  // as bounded_value
    }
    total += s.weight * value;
  }
  return total;
}

} // namespace dtf
