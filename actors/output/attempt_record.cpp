#include "actors/output/attempt_record.hpp"

namespace dtf {

attempt_record make_attempt_record(const task& t, const std::string& worker_id, int attempt, const run_outcome& outcome,
                                   std::optional<double> predicted_s) {
  attempt_record record;
  record.task_id = t.id;
  record.worker_id = worker_id;
  record.status = outcome.status;
  record.exit_code = outcome.exit_code;
  record.term_signal = outcome.term_signal;
  record.attempt = attempt;
  record.start_unix_s = outcome.start_unix_s;
  record.end_unix_s = outcome.end_unix_s;
  record.duration_s = outcome.duration_s;
  record.predicted_s = predicted_s;
  record.metrics = outcome.metrics;
  record.model = t.model;
  record.type = t.type;
  record.batch_size = t.batch_size;
  record.error = outcome.error;
  record.stderr_tail = outcome.stderr_tail;
  return record;
}

} // namespace dtf
