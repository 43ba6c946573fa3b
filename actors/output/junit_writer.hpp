#pragma once
// JUnit XML for CI systems: one <testsuite>, one <testcase> per task, decided
// by the attempt that ended the task. Uses the attributes of the common JUnit schema
// (Ant's) that Jenkins, GitLab, GitHub Actions reporters and Azure read.
#include "scheduler/model/attempt_record.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace dtf {

struct junit_counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
};

class junit_writer {
public:
  /// suite_name is the <testsuite> name and every testcase's classname.
  explicit junit_writer(std::string suite_name);

  /// Records an attempt; it replaces the task's recorded one where it decides
  /// over it (decides_over: a retry over the failure before it, not a copy
  /// cancelled or lost after the success of a backup race), unless that one
  /// ended the task (record_final). A task record_stopped marked stays an
  /// interrupted error unless the attempt that now decides it succeeded.
  /// Test cases keep the order in which their tasks were first recorded.
  /// succeeded: passed; failed and timed_out: <failure> with the stderr tail;
  /// cancelled: <skipped>; lost (its worker was lost and the run ended before
  /// another attempt): <error type="lost">.
  void record(const attempt_record& attempt);
  /// Records the attempt that ended its task (the report of a finished
  /// update): it decides the testcase over every other attempt of the task,
  /// recorded before or after it (a losing copy that reports late).
  void record_final(const attempt_record& attempt);
  /// A task that never ran (no worker can run it, or the run was stopped first):
  /// an <error> with the reason. Ignored if the task already has an attempt.
  void record_not_run(const std::string& task_id, const std::string& reason);
  /// The run stopped (a signal, an internal failure) before the task finished:
  /// an <error type="interrupted"> with the reason, whether or not an attempt
  /// ran (CI must not read an interrupted run as skipped or green).
  void record_stopped(const std::string& task_id, const std::string& reason);

  junit_counts counts() const;
  /// The XML document; timestamp is the suite's start (unix seconds).
  std::string render(double timestamp_unix_s, const std::string& hostname) const;
  /// Writes render(...) with this host's name to a temporary file beside path,
  /// then renames it over path, so a reader never sees half a file. Throws
  /// std::runtime_error naming the path on failure.
  void write(const std::filesystem::path& path, double timestamp_unix_s) const;

private:
  struct test_case {
    attempt_record final_attempt;
    bool ended_task = false;  // final_attempt came from record_final
    bool ran = true;
    std::string not_run_reason;
    std::string stopped_reason;  // set by record_stopped
  };

  /// record (ended_task false) and record_final (true).
  void keep(const attempt_record& attempt, bool ended_task);

  std::string suite_name_;
  mutable std::mutex mutex_;
  std::vector<test_case> cases_;                // first-recorded order
  std::map<std::string, std::size_t> index_of_;  // task id -> position in cases_
};

} // namespace dtf
