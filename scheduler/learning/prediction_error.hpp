#pragma once
// How far predictions were from what happened, counted only over predictions
// made from history: a default estimate (nothing learned yet) is counted
// apart, since its error says nothing about the learning. Beside the mean
// absolute percentage error (dominated by short tasks) it keeps a scale-free
// measure: the median of |ln(predicted / actual)| (0.1 means about 10 % off
// either way), and how well the predictions rank the run times (Spearman's
// rank correlation, rank_correlation.hpp), which neither says.
#include <cstdint>
#include <optional>
#include <vector>

namespace dtf {

struct prediction_error_summary {
  std::uint64_t from_history = 0;    // predictions made from learned history, compared
  std::uint64_t defaults = 0;        // default estimates, not compared
  double mape = 0.0;                 // mean |predicted - actual| / actual, fraction
  double mean_abs_error_s = 0.0;
  double median_abs_log_ratio = 0.0; // median |ln(predicted / actual)|
  /// Rank correlation of predicted and actual durations over the last 10,000 compared (nullopt: under 3, or all alike).
  std::optional<double> rank_correlation;
  /// Calibration: results compared with their prediction's p90, and those at or under it.
  std::uint64_t p90_samples = 0;
  std::uint64_t at_or_under_p90 = 0;
};

class prediction_error {
public:
  /// One successful attempt's prediction and its measured duration (same
  /// clock: modeled seconds on emulated workers). Ignores non-positive or
  /// non-finite values.
  void record(double predicted_s, double actual_s, bool from_history);
  /// A default estimate whose attempt succeeded.
  void record_default() { ++defaults_; }
  prediction_error_summary summary() const;

private:
  std::uint64_t defaults_ = 0;
  double abs_fraction_sum_ = 0.0;
  double abs_error_sum_s_ = 0.0;
  std::vector<double> abs_log_ratios_;
  std::vector<double> predicted_s_, actual_s_;  // the last compared pairs (a window, see the .cpp)
};

} // namespace dtf
