// slot_holds: the busy slot time that tasks held back earlier in a
// schedule() call count on, per profile, as other classes see it.
#include "scheduler/core/slot_holds.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>

using namespace dtf;

namespace {
struct found {
  std::uint32_t profile;
  std::size_t tasks;
  double d_s;
};
/// A count that found `finds`, then class c holding back `held` tasks behind `ahead` of its own.
void count_and_hold(slot_holds& holds, std::initializer_list<found> finds, std::uint32_t c, std::size_t ahead,
                    std::size_t held) {
  holds.begin_count();
  for (const auto& f : finds) holds.note_found(f.profile, f.tasks, f.d_s);
  holds.hold(c, ahead, held);
}
} // namespace

TEST(slot_holds, other_classes_see_the_held_seconds_in_whole_tasks_of_their_own_duration) {
  slot_holds holds;
  holds.reset(3, 4);
  // Profile 0: two tasks like it, 100 s each; profile 2: one of 40 s. Class 1 holds back three: 200 s on 0, 40 s
  // on 2.
  count_and_hold(holds, {{0, 2, 100.0}, {2, 1, 40.0}}, 1, 0, 3);
  EXPECT_EQ(holds.taken_by_others(2, 0, 100.0), 2u);
  EXPECT_EQ(holds.taken_by_others(2, 0, 150.0), 1u);  // 200 s is one task of 150 s
  EXPECT_EQ(holds.taken_by_others(2, 0, 300.0), 0u);  // a longer task still fits in the rest of its window
  EXPECT_EQ(holds.taken_by_others(2, 2, 40.0), 1u);
  EXPECT_EQ(holds.taken_by_others(2, 1, 40.0), 0u);   // nothing held there
  // Its own class counts its held tasks itself (the core's `ahead`).
  EXPECT_EQ(holds.taken_by_others(1, 0, 100.0), 0u);
  EXPECT_EQ(holds.taken_by_others(1, 2, 40.0), 0u);
  // Unknown profiles and non-positive durations take nothing.
  EXPECT_EQ(holds.taken_by_others(2, 9, 100.0), 0u);
  EXPECT_EQ(holds.taken_by_others(2, 0, 0.0), 0u);
}

TEST(slot_holds, a_class_s_earlier_holds_come_first_in_the_count_s_order) {
  slot_holds holds;
  holds.reset(2, 2);
  count_and_hold(holds, {{0, 2, 10.0}, {1, 3, 20.0}}, 0, 0, 1);  // the first unit: profile 0
  // One of its own ahead: the second unit on 0, then one on 1.
  count_and_hold(holds, {{0, 2, 10.0}, {1, 3, 20.0}}, 0, 1, 2);
  EXPECT_EQ(holds.taken_by_others(1, 0, 10.0), 2u);
  EXPECT_EQ(holds.taken_by_others(1, 1, 20.0), 1u);
  // More held than the count found: only what it found is held.
  count_and_hold(holds, {{1, 1, 20.0}}, 0, 0, 5);
  EXPECT_EQ(holds.taken_by_others(1, 1, 20.0), 2u);
}

TEST(slot_holds, a_new_call_starts_with_nothing_held) {
  slot_holds holds;
  holds.reset(1, 1);
  count_and_hold(holds, {{0, 1, 10.0}}, 0, 0, 1);
  EXPECT_EQ(holds.taken_by_others(1, 0, 10.0), 1u);  // a class the reset did not know yet
  holds.reset(1, 2);
  EXPECT_EQ(holds.taken_by_others(1, 0, 10.0), 0u);
  holds.hold(0, 0, 1);  // the finds went with the reset
  EXPECT_EQ(holds.taken_by_others(1, 0, 10.0), 0u);
}
