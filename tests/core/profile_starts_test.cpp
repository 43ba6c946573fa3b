// profile_starts: the share of a profile's slot time that tasks submitted
// after a deferral claimed by starting there.
#include "scheduler/core/profile_starts.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace dtf;

TEST(profile_starts, counts_only_tasks_submitted_after_the_deferral) {
  profile_starts starts;
  starts.note(0, 10.0, 2.0, 30.0);   // submitted before: it was ahead already
  starts.note(0, 12.0, 11.0, 20.0);  // submitted after and started since: 20 s claimed
  starts.note(1, 13.0, 12.0, 50.0);  // another profile
  // 20 s of 2 slots x 10 s since t = 5.
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, 5.0, 15.0, 2), 1.0);
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, 5.0, 25.0, 2), 0.5);
  // Deferred after the second start: nothing since.
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, 12.0, 25.0, 2), 0.0);
  // Never deferred, no time since, no slots, unknown profile.
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, -1.0, 25.0, 2), 0.0);
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, 25.0, 25.0, 2), 0.0);
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, 5.0, 25.0, 0), 0.0);
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(7, 5.0, 25.0, 2), 0.0);
}

TEST(profile_starts, a_long_wait_is_measured_over_the_starts_it_keeps) {
  profile_starts starts;
  // 2 x kept starts, one a second from t = 100, each submitted just before and predicted 0.5 s.
  for (std::size_t k = 0; k < 2 * profile_starts::kept; ++k)
    starts.note(0, 100.0 + static_cast<double>(k), 99.5 + static_cast<double>(k), 0.5);
  const double now = 100.0 + 2.0 * profile_starts::kept;
  // Over the kept starts' time (from the oldest kept, kept s ago): half of one slot, not a share
  // diluted by the 100 s before the first start.
  EXPECT_NEAR(starts.share_claimed_since(0, 0.0, now, 1), 0.5, 1e-9);
}

TEST(profile_starts, ignores_a_non_finite_prediction) {
  profile_starts starts;
  starts.note(0, 1.0, 0.5, std::numeric_limits<double>::infinity());
  starts.note(0, 2.0, 0.5, -3.0);
  EXPECT_DOUBLE_EQ(starts.share_claimed_since(0, 0.0, 10.0, 1), 0.0);
}
