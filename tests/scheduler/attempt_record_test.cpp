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

} // namespace
} // namespace dtf
