#pragma once
// Spearman's rank correlation: how well one series orders another. The
// prediction error (prediction_error.hpp) and the simulator report it for
// predicted against measured run times -- whether the predictions can order
// tasks, which shortest-first relies on and which neither the error (MAPE)
// nor the calibration says: on Philly run times the predictions rank runs
// about as well as chance, on the generator's families clearly better. Pure.
#include <optional>
#include <span>

namespace dtf {

/// The Pearson correlation of the two series' ranks (ties share their mean
/// rank), in [-1, 1]. Pairs with a non-finite value are left out; nullopt
/// when fewer than 3 pairs remain or either series is constant. O(n log n).
std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y);

} // namespace dtf
