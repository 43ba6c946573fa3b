// Prediction error counts only predictions made from history, and the
// scale-free median |ln(predicted / actual)| beside the percentage error.
#include "scheduler/learning/prediction_error.hpp"
#include "scheduler/core/slot_utilization.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace dtf {
namespace {

TEST(prediction_error, defaults_are_counted_apart_and_not_compared) {
  prediction_error e;
  e.record(30.0, 0.01, false);  // the 30 s default for a 10 ms task: 300,000 % off
  e.record(2.0, 1.0, true);
  const auto s = e.summary();
  EXPECT_EQ(s.defaults, 1u);
  EXPECT_EQ(s.from_history, 1u);
  EXPECT_DOUBLE_EQ(s.mape, 1.0);
  EXPECT_DOUBLE_EQ(s.mean_abs_error_s, 1.0);
  EXPECT_DOUBLE_EQ(s.median_abs_log_ratio, std::log(2.0));
}

TEST(prediction_error, median_of_log_ratios_treats_over_and_under_alike) {
  prediction_error e;
  e.record(2.0, 1.0, true);    // twice as long predicted
  e.record(1.0, 2.0, true);    // half as long
  e.record(10.0, 10.0, true);  // exact
  const auto s = e.summary();
  EXPECT_EQ(s.from_history, 3u);
  EXPECT_DOUBLE_EQ(s.median_abs_log_ratio, std::log(2.0));
  EXPECT_DOUBLE_EQ(s.mape, (1.0 + 0.5 + 0.0) / 3.0);
}

TEST(prediction_error, ignores_unusable_samples_and_is_zero_when_empty) {
  prediction_error e;
  e.record(0.0, 1.0, true);
  e.record(1.0, 0.0, true);
  e.record(NAN, 1.0, true);
  const auto s = e.summary();
  EXPECT_EQ(s.from_history, 0u);
  EXPECT_EQ(s.median_abs_log_ratio, 0.0);
  EXPECT_EQ(s.mape, 0.0);
}

TEST(prediction_error, ranks_the_durations_apart_from_how_far_off_they_are) {
  // Every prediction 10 x too short, but in the right order: far off, perfectly ranked.
  prediction_error ordered;
  for (double d : {5.0, 50.0, 20.0, 400.0}) ordered.record(d / 10.0, d, true);
  EXPECT_DOUBLE_EQ(*ordered.summary().rank_correlation, 1.0);
  EXPECT_GT(ordered.summary().median_abs_log_ratio, 2.0);
  // Close on average but in the reverse order.
  prediction_error reversed;
  reversed.record(11.0, 10.0, true);
  reversed.record(10.0, 11.0, true);
  reversed.record(9.0, 12.0, true);
  EXPECT_DOUBLE_EQ(*reversed.summary().rank_correlation, -1.0);
  // Defaults and unusable samples do not count; under three pairs: none.
  prediction_error few;
  few.record(30.0, 1.0, false);
  few.record(1.0, 2.0, true);
  few.record(0.0, 2.0, true);
  few.record(2.0, 3.0, true);
  EXPECT_FALSE(few.summary().rank_correlation);
}

TEST(prediction_error, ranks_over_the_last_ten_thousand_compared) {
  prediction_error e;
  for (int i = 0; i < 10000; ++i) e.record(10000.0 - i, 1.0 + i, true);  // reversed
  EXPECT_DOUBLE_EQ(*e.summary().rank_correlation, -1.0);
  for (int i = 0; i < 10000; ++i) e.record(1.0 + i, 1.0 + i, true);  // in order: they replace the reversed ones
  EXPECT_DOUBLE_EQ(*e.summary().rank_correlation, 1.0);
  EXPECT_EQ(e.summary().from_history, 20000u);  // the error still counts every one
}

TEST(slot_utilization, is_busy_wall_time_over_wall_time_times_slots_within_0_and_1) {
  EXPECT_DOUBLE_EQ(slot_utilization(3.0, 2.0, 2), 0.75);
  EXPECT_DOUBLE_EQ(slot_utilization(607.5, 5.6, 4), 1.0);  // modeled seconds passed in by mistake: clamped
  EXPECT_EQ(slot_utilization(1.0, 0.0, 4), 0.0);
  EXPECT_EQ(slot_utilization(1.0, 2.0, 0), 0.0);
  EXPECT_EQ(slot_utilization(NAN, 2.0, 1), 0.0);
  EXPECT_EQ(slot_utilization(-1.0, 2.0, 1), 0.0);
}

} // namespace
} // namespace dtf
