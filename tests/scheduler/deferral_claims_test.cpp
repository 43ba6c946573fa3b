// A deferred task stops waiting for a busy profile whose slots tasks
// submitted after it keep claiming first (online: shorter or more urgent
// arrivals go ahead of it, and it would wait behind each of them).
#include "fleet_fixtures.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

// One A100 slot and one T4 slot. "long" (bert: 100 s on the A100, 300 s on
// the T4) arrives at t = 0 while "first" (distilbert, 20 s / 60 s) holds the
// A100, and waits for it (20 + 100 < 0.75 x 300). "short" (distilbert) is
// submitted at `short_submitted_s` and, shorter, goes ahead of it when the
// A100 frees at t = 20. Where does "long" go then?
std::map<std::string, std::string> at_twenty(double short_submitted_s) {
  auto core = one_a100_one_t4({{"bert-base-uncased", 100.0, 300.0}, {"distilbert-base-uncased", 20.0, 60.0}});
  core.submit(make_task("first", {device_kind::cuda}, 0.0, 0, "distilbert-base-uncased"), 0.0);
  core.submit(make_task("long", {device_kind::cuda}, 0.0, 0, "bert-base-uncased"), 0.0);
  if (short_submitted_s == 0.0) core.submit(make_task("short", {device_kind::cuda}, 0.0, 0, "distilbert-base-uncased"), 0.0);
  auto placed = placement(core.schedule(0.0));
  EXPECT_EQ(placed["first"], "a100");
  EXPECT_EQ(placed.count("long"), 0u);  // it waits for the A100
  if (short_submitted_s > 0.0) {
    core.submit(make_task("short", {device_kind::cuda}, 0.0, 0, "distilbert-base-uncased"), short_submitted_s);
    EXPECT_TRUE(core.schedule(short_submitted_s).empty());  // so does the short one (19 + 20 < 0.75 x 60)
  }
  auto done = success_of("first", "a100", 20.0, "distilbert-base-uncased");
  core.record_result(done, 20.0);
  return placement(core.schedule(20.0));
}

} // namespace

TEST(deferral_claims, waits_behind_tasks_that_were_already_ahead_of_it) {
  // "short" came with it: the A100's next slot was never one it counted on alone.
  const auto placed = at_twenty(0.0);
  EXPECT_EQ(placed.at("short"), "a100");
  EXPECT_EQ(placed.count("long"), 0u);  // 20 + 100 < 225: it waits for the next one
}

TEST(deferral_claims, stops_waiting_when_later_arrivals_claim_the_slots_it_waits_for) {
  // Before: "long" waited again while the T4 stood idle; "short", submitted
  // after it, had claimed all of the A100's time since it began to wait.
  const auto placed = at_twenty(1.0);
  EXPECT_EQ(placed.at("short"), "a100");
  ASSERT_EQ(placed.count("long"), 1u);
  EXPECT_EQ(placed.at("long"), "t4");
}

namespace {

// "first" (distilbert, 20 s on the A100) holds the A100 from t = 0, the T4 is
// free. Two more tasks of different requirement classes (their memory needs
// differ) wait for the A100: `ahead_model` (first in queue order) and bert
// (100 s on the A100, 200 s on the T4: worth waiting for while the A100
// frees within 0.75 x 200 - 100 = 50 s).
std::map<std::string, std::string> two_classes_behind_first(const std::string& ahead_model) {
  auto core = one_a100_one_t4({{"bert-base-uncased", 100.0, 200.0}, {"distilbert-base-uncased", 20.0, 60.0}});
  core.submit(make_task("first", {device_kind::cuda}, 0.0, 0, "distilbert-base-uncased"), 0.0);
  core.submit(make_task("ahead", {device_kind::cuda}, 1.0, 0, ahead_model), 0.0);
  core.submit(make_task("bert", {device_kind::cuda}, 2.0, 0, "bert-base-uncased"), 0.0);
  return placement(core.schedule(0.0));
}

} // namespace

TEST(deferral_claims, a_task_of_another_class_waiting_for_the_same_slot_goes_ahead_of_it) {
  // "ahead" (bert, 1 GB) waits for the A100 (20 + 100 < 150); the A100's next
  // 100 s are then its, and "bert" (2 GB, another class) would finish there
  // at 220, after the T4's 200: it takes the T4. Before, each class counted
  // only its own waiting tasks, and both waited while the T4 stood idle.
  const auto placed = two_classes_behind_first("bert-base-uncased");
  EXPECT_EQ(placed.at("first"), "a100");
  EXPECT_EQ(placed.count("ahead"), 0u);
  ASSERT_EQ(placed.count("bert"), 1u);
  EXPECT_EQ(placed.at("bert"), "t4");
}

TEST(deferral_claims, a_shorter_task_ahead_takes_the_slot_for_its_own_time_only) {
  // "ahead" (distilbert, 20 s) waits for the A100 (20 + 20 < 45) and holds
  // 20 s of it; "bert" still finishes there at 140, before the T4's 200, and
  // waits too (held slots count in seconds, not tasks: counted as a task,
  // "ahead" sent the long one, last in shortest-first order, to the slow T4).
  const auto placed = two_classes_behind_first("distilbert-base-uncased");
  EXPECT_EQ(placed.at("first"), "a100");
  EXPECT_EQ(placed.count("ahead"), 0u);
  EXPECT_EQ(placed.count("bert"), 0u);
  EXPECT_EQ(placed.size(), 1u);
}
