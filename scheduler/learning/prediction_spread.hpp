#pragma once
// How far off the predictions of each level are, learned from the results:
// the log error ln(actual / predicted) of every prediction made at a level
// has a mean (bias) and a standard deviation (sigma), so a prediction at
// that level is a log-normal with median predicted x exp(bias) and a p90 of
// predicted x exp(bias + 1.2816 sigma). A level starts from a wide prior
// (coarser levels wider: a default guess is off by 1.5 in log space, an
// exact (model, batch, device) history by 0.4) worth `prior_weight` samples,
// then follows a window of recent errors, so the spread widens when run
// times drift. The p90 is the 90th percentile of the level's last `window`
// errors themselves, shrunk toward the prior's: run-time errors are heavy
// tailed (mostly small, a few huge), and bias + 1.28 sigma then lies far
// above nine in ten of them. Pure state, no I/O.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dtf {

enum class prediction_level;

struct log_spread {
  double log_bias = 0.0;   // mean of ln(actual / predicted)
  double log_sigma = 1.0;  // its standard deviation
  std::uint64_t samples = 0;  // errors learned (not counting the prior)
};

class prediction_spread {
public:
  static constexpr double prior_weight = 8.0;
  static constexpr double window = 200.0;  // errors older than about this many weigh less
  static constexpr double z90 = 1.2815515655446004;
  static constexpr double z99 = 2.3263478740408408;
  /// A level is noisy once at least `noisy_after` errors are learned and its
  /// sigma exceeds `noisy_sigma` (a p90 more than 10x the median): its
  /// predictions carry too little information to bet on (the intelligent
  /// policy holds no task back for a busy worker on them).
  static constexpr double noisy_sigma = 1.8;
  static constexpr std::uint64_t noisy_after = 20;
  /// While submissions arrive (judge_order), a level is noisy too once its
  /// last `rank_window` predictions (at least `unranked_after`, so that the
  /// correlation's own error, about 1 / sqrt(n), stays near 0.1) rank the run
  /// times that followed at a Spearman correlation under `unranked_below`,
  /// with sigma above `unranked_sigma` (a p90 more than 3.6x the median):
  /// predictions that are wide and do not order the runs (heavy tails that
  /// follow nothing a task says) back no bet on who frees first, though their
  /// sigma stays under noisy_sigma. Not in a batch: there deferral's worth is
  /// keeping the long tasks off slow devices at the end, which device ratios
  /// decide, not the order of the runs.
  static constexpr double unranked_below = 0.3;
  static constexpr double unranked_sigma = 1.0;
  static constexpr std::size_t rank_window = 200;
  static constexpr std::uint64_t unranked_after = 100;

  prediction_spread();
  /// The prior sigma of a level before any error is learned.
  static double prior_sigma(prediction_level level);
  const log_spread& of(prediction_level level) const;
  /// Learns one error of a prediction made at `level`. Ignores non-finite
  /// or non-positive values.
  void record(prediction_level level, double predicted_s, double actual_s);
  /// predicted_s x exp(bias + z sigma) of the level, finite and positive.
  double quantile_s(double predicted_s, prediction_level level, double z) const;
  /// predicted_s x the level's p90 factor: exp of the 90th percentile of its
  /// recent log errors, shrunk toward the prior's z90 sigma (or a restored
  /// spread's p90, set()) by prior_weight samples (every prediction carries
  /// this p90; calibration counts it).
  double p90_s(double predicted_s, prediction_level level) const;
  /// quantile_s at z90: the log-normal fit's p90, further out than p90_s
  /// where errors are heavy tailed. Backups judge a copy, and the learner
  /// checks a running attempt, by it (measured: by p90_s they cost
  /// drift-batch and heavy_tail_online).
  double lognormal_p90_s(double predicted_s, prediction_level level) const;
  /// The expected time still to run of a run predicted `predicted_s` at
  /// `level` that has already run `elapsed_s` (same clock): the mean
  /// residual life of the level's log-normal (median predicted x e^bias, its
  /// sigma). Past the median it grows with elapsed_s: a run of a
  /// heavy-tailed kind that is long already is likely longer still. Finite,
  /// at least 0.
  double mean_remaining_s(double predicted_s, prediction_level level, double elapsed_s) const;
  /// Restores learned spreads (snapshots); values are sanitized. The p90
  /// becomes bias + z90 sigma, and new errors' percentile is shrunk toward
  /// it (instead of the prior's) by prior_weight samples.
  void set(prediction_level level, const log_spread& spread);
  bool noisy(prediction_level level) const;
  /// Whether unranked levels count as noisy (the core: while submissions
  /// arrive). A change that turns a verdict counts in noisy_changes().
  void judge_order(bool on);
  /// The level's predictions are wide and do not order the runs (above).
  bool unranked(prediction_level level) const;
  /// Counts the times a level turned noisy or back (part of
  /// execution_predictor::change_stamp, so deferral certificates made under
  /// one verdict are not repeated under the other).
  std::uint64_t noisy_changes() const { return noisy_changes_; }

private:
  struct moments {
    double weight = 0.0;  // effective number of samples, prior included
    double mean = 0.0;
    double second = 0.0;  // weighted mean of squared deviations
  };
  static constexpr std::size_t level_count = 11;
  std::array<moments, level_count> moments_{};
  std::array<log_spread, level_count> spreads_{};
  // The last `window` log errors per level, oldest overwritten first.
  struct recent_errors {
    std::vector<double> values;
    std::size_t next = 0;
  };
  std::array<recent_errors, level_count> recent_{};
  std::array<double, level_count> p90_factor_{};            // refreshed when a level learns an error
  std::array<double, level_count> lognormal_p90_factor_{};  // exp(bias + z90 sigma), likewise
  // What the errors' percentile is shrunk toward (log): the prior's z90 sigma, or a restored spread's p90.
  std::array<double, level_count> p90_anchor_log_{};
  std::vector<double> scratch_;  // refresh_p90_factor's partial sort
  // The last rank_window (predicted, actual) pairs per level, oldest
  // overwritten first, and their rank correlation, refreshed every tenth pair.
  struct recent_pairs {
    std::vector<double> predicted, actual;
    std::size_t next = 0;
    std::uint64_t seen = 0;
    double rank = 1.0;
  };
  std::array<recent_pairs, level_count> pairs_{};
  bool judge_order_ = false;
  std::uint64_t noisy_changes_ = 0;
  void note_verdict(std::size_t k, bool was_noisy);
  void refresh_p90_factor(std::size_t k);
};

} // namespace dtf
