#include "scheduler/learning/prediction_spread.hpp"

#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/rank_correlation.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

namespace {
constexpr double max_log = 20.0;  // e^20: a 5e8 x error, beyond it a value is noise
std::size_t index_of(prediction_level level) {
  // The model's own runs on the device at other batch sizes, moved along the
  // learned batch growth: the same evidence as model_type_device, and as
  // noisy (a heavy-tailed model's runs back no confident answer either way).
  if (level == prediction_level::model_batch_scaled) level = prediction_level::model_type_device;
  return std::min<std::size_t>(static_cast<std::size_t>(level), 10);
}
} // namespace

double prediction_spread::prior_sigma(prediction_level level) {
  switch (level) {
    case prediction_level::exact: return 0.4;
    case prediction_level::model_type_device: return 0.5;
    case prediction_level::model_type_scaled: return 0.7;
    case prediction_level::family_type_device: return 0.8;
    case prediction_level::model_type: return 0.8;
    case prediction_level::type_kind: return 1.0;
    case prediction_level::type: return 1.2;
    default: return 1.5;
  }
}

prediction_spread::prediction_spread() {
  for (std::size_t k = 0; k < level_count; ++k) {
    const double sigma = prior_sigma(static_cast<prediction_level>(k));
    moments_[k] = {prior_weight, 0.0, sigma * sigma};
    spreads_[k] = {0.0, sigma, 0};
    p90_anchor_log_[k] = z90 * sigma;
    refresh_p90_factor(k);
  }
}

const log_spread& prediction_spread::of(prediction_level level) const { return spreads_[index_of(level)]; }

void prediction_spread::record(prediction_level level, double predicted_s, double actual_s) {
  if (!std::isfinite(predicted_s) || !std::isfinite(actual_s) || predicted_s <= 0.0 || actual_s <= 0.0) return;
  const double error = std::clamp(std::log(actual_s / predicted_s), -max_log, max_log);
  const std::size_t k = index_of(level);
  const bool was_noisy = noisy(level);
  auto& m = moments_[k];
  // West's weighted update; the weight saturates at the window, so old errors fade.
  m.weight = std::min(m.weight + 1.0, window);
  const double w = 1.0 / m.weight;
  const double delta = error - m.mean;
  m.mean += w * delta;
  m.second = (1.0 - w) * (m.second + w * delta * delta);
  auto& pairs = pairs_[k];
  if (pairs.predicted.size() < rank_window) {
    pairs.predicted.push_back(predicted_s);
    pairs.actual.push_back(actual_s);
  } else {
    pairs.predicted[pairs.next] = predicted_s;
    pairs.actual[pairs.next] = actual_s;
    pairs.next = (pairs.next + 1) % rank_window;
  }
  if (++pairs.seen % 10 == 0)
    if (auto rank = spearman_correlation(pairs.predicted, pairs.actual)) pairs.rank = *rank;
  auto& s = spreads_[k];
  ++s.samples;
  s.log_bias = m.mean;
  s.log_sigma = std::sqrt(std::max(m.second, 1e-6));
  auto& recent = recent_[k];
  if (recent.values.size() < static_cast<std::size_t>(window)) {
    recent.values.push_back(error);
  } else {
    recent.values[recent.next] = error;
    recent.next = (recent.next + 1) % recent.values.size();
  }
  refresh_p90_factor(k);
  note_verdict(k, was_noisy);
}

bool prediction_spread::noisy(prediction_level level) const {
  const auto& s = of(level);
  if (s.samples < noisy_after) return false;
  return s.log_sigma > noisy_sigma || (judge_order_ && unranked(level));
}

bool prediction_spread::unranked(prediction_level level) const {
  const auto& pairs = pairs_[index_of(level)];
  return pairs.seen >= unranked_after && pairs.rank < unranked_below && of(level).log_sigma > unranked_sigma;
}

void prediction_spread::judge_order(bool on) {
  if (on == judge_order_) return;
  std::array<bool, level_count> was_noisy{};
  for (std::size_t k = 0; k < level_count; ++k) was_noisy[k] = noisy(static_cast<prediction_level>(k));
  judge_order_ = on;
  for (std::size_t k = 0; k < level_count; ++k)
    if (noisy(static_cast<prediction_level>(k)) != was_noisy[k]) {
      ++noisy_changes_;  // one change for the turn, however many levels it turns
      return;
    }
}

void prediction_spread::note_verdict(std::size_t k, bool was_noisy) {
  const bool now_noisy = noisy(static_cast<prediction_level>(k));
  if (now_noisy != was_noisy) ++noisy_changes_;
}

namespace {
double factor_of(const log_spread& s, double z) {
  return std::exp(std::clamp(s.log_bias + z * s.log_sigma, -max_log, max_log));
}
double bounded_quantile_s(double q) {
  if (!std::isfinite(q)) return execution_predictor::max_seconds;
  return std::clamp(q, 1e-6, execution_predictor::max_seconds);
}
} // namespace

double prediction_spread::quantile_s(double predicted_s, prediction_level level, double z) const {
  return bounded_quantile_s(predicted_s * factor_of(of(level), z));
}

double prediction_spread::p90_s(double predicted_s, prediction_level level) const {
  return bounded_quantile_s(predicted_s * p90_factor_[index_of(level)]);
}

double prediction_spread::lognormal_p90_s(double predicted_s, prediction_level level) const {
  return bounded_quantile_s(predicted_s * lognormal_p90_factor_[index_of(level)]);
}

double prediction_spread::mean_remaining_s(double predicted_s, prediction_level level, double elapsed_s) const {
  if (!std::isfinite(predicted_s) || !(predicted_s > 0.0)) return 0.0;
  const auto& s = of(level);
  // sigma^2 / 2 stays under max_log: the mean is never capped below what the tail needs.
  const double sigma = std::clamp(s.log_sigma, 0.05, 6.0);
  const double median_s = predicted_s * std::exp(std::clamp(s.log_bias, -max_log, max_log));
  const double mean_s = median_s * std::exp(sigma * sigma / 2.0);
  if (!std::isfinite(elapsed_s) || !(elapsed_s > 0.0)) return bounded_quantile_s(mean_s);
  // E[T | T > e] = mean x Phi(sigma - z) / (1 - Phi(z)), z = ln(e / median) / sigma.
  const double z = std::log(elapsed_s / median_s) / sigma;
  const auto upper_tail = [](double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); };  // 1 - Phi(x)
  const double beyond = upper_tail(z);
  double remaining_s = 0.0;
  if (beyond > 1e-290)  // erfc is accurate down to here (z about 36)
    remaining_s = mean_s * upper_tail(z - sigma) / beyond - elapsed_s;
  else  // Mills' ratio: E[T | T > e] / e -> 1 + sigma / (z - sigma), and z > 36 > sigma here
    remaining_s = elapsed_s * sigma / (z - sigma);
  if (!std::isfinite(remaining_s)) return execution_predictor::max_seconds;
  return std::clamp(remaining_s, 0.0, execution_predictor::max_seconds);
}

void prediction_spread::refresh_p90_factor(std::size_t k) {
  lognormal_p90_factor_[k] = factor_of(spreads_[k], z90);
  const auto& values = recent_[k].values;
  if (values.empty()) {  // the prior, or a restored spread
    p90_factor_[k] = lognormal_p90_factor_[k];
    return;
  }
  // The smallest error at or above nine in ten of them (index ceil(0.9 n) - 1).
  auto& sorted = scratch_;  // reused: one per result, no allocation
  sorted.assign(values.begin(), values.end());
  const auto n = sorted.size();
  const auto at = (9 * n + 9) / 10 - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at), sorted.end());
  const double prior_log = p90_anchor_log_[k];
  const double weight = static_cast<double>(n);
  const double log_p90 = (prior_weight * prior_log + weight * sorted[at]) / (prior_weight + weight);
  p90_factor_[k] = std::exp(std::clamp(log_p90, -max_log, max_log));
}

void prediction_spread::set(prediction_level level, const log_spread& spread) {
  const std::size_t k = index_of(level);
  if (!std::isfinite(spread.log_bias) || !std::isfinite(spread.log_sigma) || spread.log_sigma <= 0.0) return;
  const bool was_noisy = noisy(level);
  auto& s = spreads_[k];
  s.log_bias = std::clamp(spread.log_bias, -max_log, max_log);
  s.log_sigma = std::clamp(spread.log_sigma, 1e-3, max_log);
  s.samples = spread.samples;
  const double weight = std::min(window, prior_weight + static_cast<double>(spread.samples));
  moments_[k] = {weight, s.log_bias, s.log_sigma * s.log_sigma};
  recent_[k] = {};
  p90_anchor_log_[k] = std::clamp(s.log_bias + z90 * s.log_sigma, -max_log, max_log);  // new errors start from it
  refresh_p90_factor(k);
  note_verdict(k, was_noisy);
}

} // namespace dtf
