#pragma once
// The runtime's output files, fed from task updates: results JSON Lines (one
// record per attempt, written as attempts finish) and JUnit XML (one testcase
// per task, rewritten on flush). CAF-free.
#include "actors/journal/journal_records.hpp"
#include "actors/messages.hpp"
#include "scheduler/model/attempt_record.hpp"
#include "actors/output/junit_writer.hpp"
#include "actors/output/results_jsonl_writer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace dtf {

class runtime_outputs {
public:
  /// Empty paths are not written. Throws std::runtime_error naming a path that
  /// cannot be opened.
  runtime_outputs(const std::string& results_path, const std::string& junit_path, std::string suite_name);

  void on_update(const task_update& update);
  /// A resumed run: the attempts of its earlier part, and the tasks that
  /// ended then (not run again), recorded first so the results and JUnit
  /// cover the whole run.
  void preload(const std::vector<attempt_record>& earlier_attempts, const std::vector<journal_task>& ended_earlier);
  /// Writes the JUnit file for every task seen so far.
  void flush();

private:
  std::unique_ptr<results_jsonl_writer> results_;
  junit_writer junit_;
  std::string junit_path_;
  double started_unix_s_ = 0.0;
};

} // namespace dtf
