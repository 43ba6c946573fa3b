// One attempt record: filled where the attempt runs, and the one conversion
// to what the scheduling core learns from.
#include "scheduler/model/attempt_record.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace dtf {
namespace {

task bert() {
  task t;
  t.id = "bert-1";
  t.type = task_type::benchmark;
  t.model = "bert-base-uncased";
  t.batch_size = 8;
  return t;
}

worker_capability a100() {
  worker_capability w;
  w.id = "cuda0";
  w.kind = device_kind::cuda;
  w.name = "NVIDIA A100-SXM4-40GB";
  w.speed = 1.5;
  return w;
}

TEST(attempt_record, a_new_record_carries_the_task_and_the_worker_learning_keys_by) {
  const auto r = attempt_record_for(bert(), a100(), 3);
  EXPECT_EQ(r.task_id, "bert-1");
  EXPECT_EQ(r.attempt, 3);
  EXPECT_EQ(r.model, "bert-base-uncased");
  EXPECT_EQ(r.type, task_type::benchmark);
  EXPECT_EQ(r.batch_size, 8);
  EXPECT_EQ(r.worker_id, "cuda0");
  EXPECT_EQ(r.device_name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(r.kind, device_kind::cuda);
  EXPECT_DOUBLE_EQ(r.speed, 1.5);
  EXPECT_EQ(r.status, task_status::failed) << "nothing ran yet";
}

TEST(attempt_record, an_unusable_speed_is_taken_as_1) {
  auto w = a100();
  w.speed = std::numeric_limits<double>::infinity();
  EXPECT_DOUBLE_EQ(ran_on(attempt_record{}, w).speed, 1.0);
  w.speed = -2;
  EXPECT_DOUBLE_EQ(ran_on(attempt_record{}, w).speed, 1.0);
}

TEST(attempt_record, learning_uses_the_modeled_seconds_of_an_emulated_attempt_and_the_wall_seconds_otherwise) {
  auto r = attempt_record_for(bert(), a100(), 1);
  r.status = task_status::succeeded;
  r.duration_s = 0.3;  // wall: --time-scale 0.01
  r.modeled_s = 30.0;
  r.metrics = {{"throughput", 812.5}};
  auto learned = learning_result(r);
  EXPECT_DOUBLE_EQ(learned.duration_s, 30.0);
  EXPECT_EQ(learned.task_id, "bert-1");
  EXPECT_EQ(learned.worker_id, "cuda0");
  EXPECT_EQ(learned.status, task_status::succeeded);
  EXPECT_EQ(learned.model, "bert-base-uncased");
  EXPECT_EQ(learned.batch_size, 8);
  EXPECT_EQ(learned.metrics, r.metrics);
  r.modeled_s.reset();
  EXPECT_DOUBLE_EQ(learning_result(r).duration_s, 0.3);
  r.duration_s = std::numeric_limits<double>::quiet_NaN();
  EXPECT_DOUBLE_EQ(learning_result(r).duration_s, 0.0) << "learning never sees a non-finite duration";
}

TEST(attempt_record, the_worker_learning_sees_is_the_one_the_record_ran_on) {
  const auto w = learning_worker(attempt_record_for(bert(), a100(), 1));
  EXPECT_EQ(w.id, "cuda0");
  EXPECT_EQ(w.kind, device_kind::cuda);
  EXPECT_EQ(w.name, "NVIDIA A100-SXM4-40GB");
  EXPECT_DOUBLE_EQ(w.speed, 1.5);
}

/// Attempt `number` of task t, ended with `status`, from start_s to end_s (0: not known).
attempt_record attempt_of(int number, task_status status, double start_s, double end_s) {
  attempt_record a;
  a.task_id = "t";
  a.attempt = number;
  a.status = status;
  a.start_unix_s = start_s;
  a.end_unix_s = end_s;
  a.duration_s = end_s - start_s;
  return a;
}

TEST(attempt_record, a_success_decides_over_a_cancelled_or_lost_copy_whatever_their_numbers) {
  // A backup race: the copy that lost is cancelled (or lost with its worker),
  // numbered before or after the one that succeeded.
  const auto won_first = attempt_of(1, task_status::succeeded, 100, 160);
  for (auto status : {task_status::cancelled, task_status::lost}) {
    const auto backup = attempt_of(2, status, 130, 161);
    EXPECT_TRUE(decides_over(won_first, backup)) << to_string(status);
    EXPECT_FALSE(decides_over(backup, won_first)) << to_string(status);
    const auto first = attempt_of(1, status, 100, 141);
    const auto won_backup = attempt_of(2, task_status::succeeded, 130, 140);
    EXPECT_TRUE(decides_over(won_backup, first)) << to_string(status);
    EXPECT_FALSE(decides_over(first, won_backup)) << to_string(status);
  }
}

TEST(attempt_record, a_failure_that_ended_its_task_decides_over_the_copy_cancelled_with_it) {
  // A stopping run cancels both copies; the first failed before its cancel
  // arrived and ended the task; the backup's cancelled report comes after.
  const auto failed = attempt_of(1, task_status::failed, 100, 150);
  const auto timed_out = attempt_of(1, task_status::timed_out, 100, 150);
  const auto cancelled = attempt_of(2, task_status::cancelled, 130, 151);
  EXPECT_TRUE(decides_over(failed, cancelled));
  EXPECT_FALSE(decides_over(cancelled, failed));
  EXPECT_TRUE(decides_over(timed_out, cancelled));
  EXPECT_FALSE(decides_over(cancelled, timed_out));
}

TEST(attempt_record, a_retry_decides_over_the_failure_before_it_however_it_ended) {
  // A retry begins after the failure it follows ended: that failure was not final.
  const auto failed = attempt_of(1, task_status::failed, 100, 110);
  for (auto status : {task_status::succeeded, task_status::failed, task_status::timed_out, task_status::cancelled,
                      task_status::lost}) {
    const auto retry = attempt_of(2, status, 111, 120);
    EXPECT_TRUE(decides_over(retry, failed)) << to_string(status);
    EXPECT_FALSE(decides_over(failed, retry)) << to_string(status);
  }
  // Without times (hand-made or older files), by number.
  EXPECT_TRUE(decides_over(attempt_of(2, task_status::cancelled, 0, 0), attempt_of(1, task_status::failed, 0, 0)));
  EXPECT_FALSE(decides_over(attempt_of(1, task_status::failed, 0, 0), attempt_of(2, task_status::cancelled, 0, 0)));
}

TEST(attempt_record, among_attempts_of_equal_standing_the_highest_number_decides) {
  EXPECT_TRUE(decides_over(attempt_of(2, task_status::cancelled, 100, 101), attempt_of(1, task_status::lost, 90, 95)));
  EXPECT_FALSE(decides_over(attempt_of(1, task_status::lost, 90, 95), attempt_of(2, task_status::cancelled, 100, 101)));
  EXPECT_TRUE(decides_over(attempt_of(2, task_status::failed, 0, 0), attempt_of(1, task_status::timed_out, 0, 0)))
      << "times not known";
  EXPECT_TRUE(decides_over(attempt_of(2, task_status::succeeded, 0, 0), attempt_of(1, task_status::succeeded, 0, 0)));
  EXPECT_TRUE(decides_over(attempt_of(3, task_status::cancelled, 100, 101), attempt_of(3, task_status::cancelled, 100, 101)))
      << "the later record of one attempt";
  EXPECT_TRUE(decides_over(attempt_of(3, task_status::failed, 100, 101), attempt_of(3, task_status::failed, 100, 102)))
      << "the later record of one attempt";
}

/// `winner` decides over `other`, and not the other way round.
void expect_decides(const attempt_record& winner, const attempt_record& other) {
  EXPECT_TRUE(decides_over(winner, other)) << "attempt " << winner.attempt << " " << to_string(winner.status);
  EXPECT_FALSE(decides_over(other, winner)) << "attempt " << other.attempt << " " << to_string(other.status);
}

TEST(attempt_record, a_success_decides_over_a_backup_that_failed_before_it_whatever_their_numbers) {
  // The first attempt overran its prediction; its backup (attempt 2) failed
  // while it ran on, leaving it the task; then it succeeded.
  for (auto status : {task_status::failed, task_status::timed_out}) {
    expect_decides(attempt_of(1, task_status::succeeded, 90, 120), attempt_of(2, status, 100, 101));
    // Numbered the other way (the backup won after the first attempt failed),
    // and without times (hand-made or older results files).
    expect_decides(attempt_of(2, task_status::succeeded, 100, 130), attempt_of(1, status, 90, 110));
    expect_decides(attempt_of(1, task_status::succeeded, 0, 0), attempt_of(2, status, 0, 0));
  }
}

TEST(attempt_record, of_two_failures_the_last_to_end_decides_and_of_two_successes_the_first) {
  // A race: the backup (2) failed first, the first attempt kept the task and
  // failed after it, ending the task; a retry (3) ends after the failure it follows.
  expect_decides(attempt_of(1, task_status::failed, 90, 130), attempt_of(2, task_status::timed_out, 100, 110));
  expect_decides(attempt_of(3, task_status::failed, 131, 140), attempt_of(1, task_status::failed, 90, 130));
  // The first attempt won; its backup finished before its cancel reached it.
  expect_decides(attempt_of(1, task_status::succeeded, 90, 129), attempt_of(2, task_status::succeeded, 100, 130));
}

} // namespace
} // namespace dtf
