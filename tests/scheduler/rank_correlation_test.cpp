#include "scheduler/learning/rank_correlation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace dtf {
namespace {

TEST(rank_correlation, is_one_for_the_same_order_and_minus_one_for_the_reverse) {
  const std::vector<double> x{1, 2, 3, 4, 5};
  const std::vector<double> up{10, 200, 3000, 3001, 1e6};  // any increasing map: ranks only
  const std::vector<double> down{5, 4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(*spearman_correlation(x, up), 1.0);
  EXPECT_DOUBLE_EQ(*spearman_correlation(x, down), -1.0);
}

TEST(rank_correlation, ties_share_their_mean_rank) {
  // x ranks 1.5 1.5 3 4, y ranks 1 2 3 4: Pearson of the ranks.
  const std::vector<double> x{7, 7, 8, 9};
  const std::vector<double> y{1, 2, 3, 4};
  const double mx = 2.5, my = 2.5;
  const std::vector<double> rx{1.5, 1.5, 3, 4}, ry{1, 2, 3, 4};
  double c = 0, vx = 0, vy = 0;
  for (int i = 0; i < 4; ++i) {
    c += (rx[i] - mx) * (ry[i] - my);
    vx += (rx[i] - mx) * (rx[i] - mx);
    vy += (ry[i] - my) * (ry[i] - my);
  }
  EXPECT_NEAR(*spearman_correlation(x, y), c / std::sqrt(vx * vy), 1e-12);
  EXPECT_LT(*spearman_correlation(x, y), 1.0);
}

TEST(rank_correlation, an_unrelated_order_is_near_zero) {
  // y is x's rank scrambled by a fixed permutation with no trend.
  std::vector<double> x, y;
  for (int i = 0; i < 101; ++i) {
    x.push_back(i);
    y.push_back((i * 37) % 101);
  }
  EXPECT_LT(std::abs(*spearman_correlation(x, y)), 0.2);
}

TEST(rank_correlation, needs_three_finite_pairs_and_two_values_in_each_series) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(spearman_correlation(std::vector<double>{1, 2}, std::vector<double>{1, 2}));
  EXPECT_FALSE(spearman_correlation(std::vector<double>{1, 2, nan}, std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(spearman_correlation(std::vector<double>{1, 2, 3}, std::vector<double>{inf, 2, 3}));
  EXPECT_FALSE(spearman_correlation(std::vector<double>{4, 4, 4}, std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(spearman_correlation(std::vector<double>{}, std::vector<double>{}));
  // Non-finite pairs are left out, the rest still counts.
  EXPECT_DOUBLE_EQ(*spearman_correlation(std::vector<double>{1, nan, 2, 3}, std::vector<double>{1, 5, 2, 3}), 1.0);
  // Series of different lengths: the common prefix.
  EXPECT_DOUBLE_EQ(*spearman_correlation(std::vector<double>{1, 2, 3, 4}, std::vector<double>{3, 2, 1}), -1.0);
}

} // namespace
} // namespace dtf
