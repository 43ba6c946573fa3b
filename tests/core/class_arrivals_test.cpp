// class_arrivals: the recent submission rate of a requirement class, and the
// predicted work it brings.
#include "scheduler/core/class_arrivals.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace dtf;

TEST(class_arrivals, rate_is_submissions_over_their_span) {
  class_arrivals arrivals;
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 0.0), 0.0);  // never seen
  arrivals.note(0, 10.0, 5.0);
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 10.0), 0.0);  // one: no span
  arrivals.note(0, 20.0, 5.0);
  arrivals.note(0, 30.0, 5.0);
  arrivals.note(1, 31.0, 5.0);  // another class
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 31.0), 0.1);
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(1, 31.0), 0.0);
}

TEST(class_arrivals, a_batch_has_no_rate) {
  class_arrivals arrivals;
  for (int k = 0; k < 40; ++k) arrivals.note(3, 0.0, 5.0);
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(3, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(3, 100.0), 0.0);
}

TEST(class_arrivals, arrivals_that_stopped_have_no_rate) {
  class_arrivals arrivals;
  for (int k = 0; k < 5; ++k) arrivals.note(0, 10.0 * k, 5.0);  // every 10 s up to 40
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 70.0), 0.1);  // 3 gaps since the last
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 70.5), 0.0);
}

TEST(class_arrivals, only_the_recent_ones_count) {
  class_arrivals arrivals;
  for (int k = 0; k < 10; ++k) arrivals.note(0, 100.0 * k, 5.0);  // slow at first
  for (std::size_t k = 1; k <= class_arrivals::kept; ++k) arrivals.note(0, 900.0 + 2.0 * static_cast<double>(k), 5.0);
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 933.0), 0.5);
}

TEST(class_arrivals, ignores_a_non_finite_time) {
  class_arrivals arrivals;
  arrivals.note(0, 0.0, 5.0);
  arrivals.note(0, std::numeric_limits<double>::quiet_NaN(), 5.0);
  arrivals.note(0, std::numeric_limits<double>::infinity(), 5.0);
  arrivals.note(0, 4.0, 5.0);
  EXPECT_DOUBLE_EQ(arrivals.rate_per_s(0, 4.0), 0.25);
}

TEST(class_arrivals, work_is_the_predictions_of_the_submissions_within_the_span) {
  class_arrivals arrivals;
  arrivals.note(0, 0.0, 100.0);   // opens the span: its work came before it
  arrivals.note(0, 10.0, 20.0);
  arrivals.note(0, 20.0, 40.0);
  arrivals.note(0, 30.0, std::numeric_limits<double>::infinity());  // counted as none
  EXPECT_DOUBLE_EQ(arrivals.work_per_s(0, 30.0), 2.0);  // 60 s over 30 s
  EXPECT_DOUBLE_EQ(arrivals.work_per_s(0, 61.0), 0.0);  // they stopped
  EXPECT_DOUBLE_EQ(arrivals.work_per_s(1, 30.0), 0.0);
}

TEST(class_arrivals, a_batch_is_over_at_once) {
  class_arrivals arrivals;
  EXPECT_TRUE(arrivals.submissions_over(0.0));  // nothing submitted
  for (int k = 0; k < 40; ++k) arrivals.note(k % 3, 0.0, 5.0);
  EXPECT_TRUE(arrivals.submissions_over(0.0));
  EXPECT_TRUE(arrivals.submissions_over(1000.0));
}

TEST(class_arrivals, a_lull_shorter_than_the_stream_before_it_is_not_the_end) {
  class_arrivals arrivals;
  for (int k = 0; k <= 100; ++k) arrivals.note(0, 10.0 * k, 5.0);  // every 10 s up to 1,000 s
  EXPECT_FALSE(arrivals.submissions_over(1010.0));  // still arriving
  EXPECT_FALSE(arrivals.submissions_over(1500.0));  // stopped 500 s ago, after 1,000 s of them: a lull
  EXPECT_TRUE(arrivals.submissions_over(2000.0));   // as long as they spanned: over
  arrivals.note(0, 2500.0, 5.0);                   // they resume: 2,500 s span from now on
  EXPECT_FALSE(arrivals.submissions_over(4000.0));
  EXPECT_TRUE(arrivals.submissions_over(5000.0));
}
