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

bool decides_over(const attempt_record& a, const attempt_record& b) {
  const bool a_lost = a.status == task_status::lost, b_lost = b.status == task_status::lost;
  if (a_lost != b_lost) return b_lost;
  return a.attempt >= b.attempt;
}

} // namespace dtf
