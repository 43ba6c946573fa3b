#include "scheduler/model/attempt_record.hpp"

#include <cmath>
#include <utility>

namespace dtf {

attempt_record attempt_record_for(const task& t, const worker_capability& worker, int attempt) {
  attempt_record r;
  r.task_id = t.id;
  r.attempt = attempt;
  r.model = t.model;
  r.type = t.type;
  r.batch_size = t.batch_size;
  return ran_on(std::move(r), worker);
}

attempt_record ran_on(attempt_record record, const worker_capability& worker) {
  record.worker_id = worker.id;
  record.device_name = worker.name;
  record.kind = worker.kind;
  record.speed = std::isfinite(worker.speed) && worker.speed > 0 ? worker.speed : 1.0;
  return record;
}

task_result learning_result(const attempt_record& record) {
  task_result r;
  r.task_id = record.task_id;
  r.worker_id = record.worker_id;
  r.status = record.status;
  const double measured = record.measured_s();
  r.duration_s = std::isfinite(measured) && measured > 0 ? measured : 0.0;
  r.exit_code = record.exit_code;
  r.model = record.model;
  r.type = record.type;
  r.batch_size = record.batch_size;
  r.attempt = record.attempt;
  r.metrics = record.metrics;
  return r;
}

worker_capability learning_worker(const attempt_record& record) {
  worker_capability w;
  w.id = record.worker_id;
  w.kind = record.kind;
  w.name = record.device_name;
  w.speed = record.speed;
  w.emulated = record.modeled_s.has_value();  // its seconds are modeled: learned in that clock
  return w;
}

namespace {

/// Succeeded, failed or timed out: the attempt ran to its end. Cancelled and
/// lost attempts were cut short.
bool ran_to_its_end(task_status status) {
  return status == task_status::succeeded || status == task_status::failed || status == task_status::timed_out;
}

/// Whether `later` began after the failure `failed` had ended, numbered after
/// it: a retry, so the failure did not end the task. A copy that raced it
/// began before it ended. Times not known (0, as in hand-made or older
/// results files): by number.
bool retried_after(const attempt_record& failed, const attempt_record& later) {
  if (later.attempt <= failed.attempt) return false;
  if (failed.end_unix_s <= 0.0 || later.start_unix_s <= 0.0) return true;
  return later.start_unix_s >= failed.end_unix_s;
}

/// Whether `ended`, an attempt that ran to its end, decides over `cut_short`:
/// a success always; a failure unless `cut_short` is its retry.
bool ended_decides_over(const attempt_record& ended, const attempt_record& cut_short) {
  return ended.status == task_status::succeeded || !retried_after(ended, cut_short);
}

/// Whether `a` decides over `b`, two attempts that ran to their end: a
/// success over a failure whatever their numbers (a failure leaves its task to
/// a copy still running, and once a task succeeded only a losing copy ends
/// after it); of two failures the one that ended last (a retry ends after the
/// failure it follows; a copy that failed first left the task to the other);
/// of two successes the one that ended first (the other finished before its
/// cancel reached it). Times not known or equal: the higher number.
bool both_ended_decides_over(const attempt_record& a, const attempt_record& b) {
  const bool a_won = a.status == task_status::succeeded, b_won = b.status == task_status::succeeded;
  if (a_won != b_won) return a_won;
  if (a.attempt == b.attempt) return true;  // the later record of one attempt
  if (a.end_unix_s > 0.0 && b.end_unix_s > 0.0 && a.end_unix_s != b.end_unix_s)
    return a_won ? a.end_unix_s < b.end_unix_s : a.end_unix_s > b.end_unix_s;
  return a.attempt > b.attempt;
}

} // namespace

bool decides_over(const attempt_record& a, const attempt_record& b) {
  const bool a_ended = ran_to_its_end(a.status), b_ended = ran_to_its_end(b.status);
  if (a_ended && b_ended) return both_ended_decides_over(a, b);
  if (a_ended) return ended_decides_over(a, b);
  if (b_ended) return !ended_decides_over(b, a);
  return a.attempt >= b.attempt;
}

} // namespace dtf
