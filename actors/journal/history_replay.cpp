#include "actors/journal/history_replay.hpp"

#include "scheduler/scheduler_core.hpp"

namespace dtf {

worker_capability history_worker(const history_row& row) {
  worker_capability w;
  w.id = row.worker_id;
  w.kind = row.kind;
  w.name = row.device_name;
  w.speed = row.speed;
  return w;
}

task_result history_result(const history_row& row) {
  task_result r;
  r.worker_id = row.worker_id;
  r.status = row.status;
  r.duration_s = row.duration_s;
  r.model = row.model;
  r.type = row.type;
  r.batch_size = row.batch_size;
  return r;
}

std::size_t replay_history(std::span<const history_row> rows, scheduler_core& core) {
  for (const auto& row : rows) core.learn_from_history(history_result(row), history_worker(row));
  return rows.size();
}

} // namespace dtf
