#include "scheduler/learning/specialization_tracker.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace dtf;

TEST(specialization_tracker, is_neutral_without_history) {
  specialization_tracker s;
  EXPECT_DOUBLE_EQ(s.value("w1", task_type::benchmark, "bert"), 0.0);
}

TEST(specialization_tracker, rewards_a_worker_faster_than_the_fleet) {
  specialization_tracker s;
  for (int i = 0; i < 5; ++i) {
    s.record("fast", task_type::benchmark, "bert", true, 10.0);
    s.record("slow", task_type::benchmark, "bert", true, 40.0);
  }
  EXPECT_GT(s.value("fast", task_type::benchmark, "bert"), 0.0);
  EXPECT_LT(s.value("slow", task_type::benchmark, "bert"),
            s.value("fast", task_type::benchmark, "bert"));
  // Other keys are untouched.
  EXPECT_DOUBLE_EQ(s.value("fast", task_type::test, "bert"), 0.0);
}

TEST(specialization_tracker, penalizes_failures_with_a_smoothed_rate) {
  specialization_tracker s;
  s.record("flaky", task_type::test, "t5", false, std::nullopt);
  s.record("flaky", task_type::test, "t5", false, std::nullopt);
  auto entries = s.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_DOUBLE_EQ(entries[0].success_rate, 0.25);  // (0+1)/(2+2)
  EXPECT_LT(entries[0].value, 0.0);
}

TEST(specialization_tracker, stays_bounded_for_wild_durations) {
  specialization_tracker s;
  s.record("w", task_type::custom, "x", true, 1e-12);
  s.record("v", task_type::custom, "x", true, 1e12);
  s.record("w", task_type::custom, "x", true, std::numeric_limits<double>::quiet_NaN());
  s.record("w", task_type::custom, "x", true, -5.0);
  for (const auto& e : s.entries()) {
    EXPECT_TRUE(std::isfinite(e.value));
    EXPECT_GE(e.value, -1.0);
    EXPECT_LE(e.value, 1.0);
    EXPECT_GE(e.relative_speed, specialization_tracker::min_relative_speed);
    EXPECT_LE(e.relative_speed, specialization_tracker::max_relative_speed);
  }
}

TEST(specialization_family, falls_back_to_the_model_name) {
  EXPECT_EQ(specialization_family("distilbert-base-uncased"), "bert");
  EXPECT_EQ(specialization_family("resnet50"), "resnet50");
}
