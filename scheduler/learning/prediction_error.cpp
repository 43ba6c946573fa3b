#include "scheduler/learning/prediction_error.hpp"

#include "scheduler/learning/rank_correlation.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

namespace {
// A prediction off by more than this factor counts as this far off (keeps one
// wild sample from making the mean meaningless).
constexpr double max_fraction = 1e6;
// The rank correlation is over the last this many compared pairs: how well
// the predictions order the durations lately, at a bounded cost per summary
// (a sort of them; summaries are taken while a run is watched).
constexpr std::size_t ranked_window = 10000;
} // namespace

void prediction_error::record(double predicted_s, double actual_s, bool from_history) {
  if (!from_history) {
    ++defaults_;
    return;
  }
  if (!std::isfinite(predicted_s) || !std::isfinite(actual_s) || predicted_s <= 0.0 || actual_s <= 0.0) return;
  const double error_s = std::abs(predicted_s - actual_s);
  abs_fraction_sum_ += std::min(error_s / actual_s, max_fraction);
  abs_error_sum_s_ += error_s;
  abs_log_ratios_.push_back(std::abs(std::log(predicted_s / actual_s)));
  // The k-th compared pair (k from 0) takes slot k mod ranked_window.
  const std::size_t k = abs_log_ratios_.size() - 1;
  if (predicted_s_.size() < ranked_window) {
    predicted_s_.push_back(predicted_s);
    actual_s_.push_back(actual_s);
  } else {
    predicted_s_[k % ranked_window] = predicted_s;
    actual_s_[k % ranked_window] = actual_s;
  }
}

prediction_error_summary prediction_error::summary() const {
  prediction_error_summary s;
  s.defaults = defaults_;
  s.from_history = abs_log_ratios_.size();
  if (abs_log_ratios_.empty()) return s;
  const auto n = static_cast<double>(abs_log_ratios_.size());
  s.mape = abs_fraction_sum_ / n;
  s.mean_abs_error_s = abs_error_sum_s_ / n;
  s.rank_correlation = spearman_correlation(predicted_s_, actual_s_);
  // The median in linear time (summaries are taken while a run is watched).
  auto values = abs_log_ratios_;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  s.median_abs_log_ratio =
      values.size() % 2 ? upper
                        : (*std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2.0;
  return s;
}

} // namespace dtf
