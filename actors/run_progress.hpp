#pragma once
// Follows a run from its task updates: the counts and ETA input the progress
// reporter shows, the finished-task lines, and each task's final state for the
// summary. CAF-free; fed from the runtime's update callback (one thread) and
// read from another, hence the mutex.
#include "actors/messages.hpp"
#include "actors/output/progress_reporter.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dtf {

struct task_summary {
  std::string task_id;
  task_event_kind last_kind = task_event_kind::accepted;
  task_status status = task_status::pending;
  std::string worker_id;
  int attempts = 0;
  // Of the attempt that decides the task (see run_progress::attempt_detail):
  double duration_s = 0.0;  // as reported (modeled seconds when emulated)
  double wall_s = 0.0;      // wall seconds
  std::optional<double> modeled_s;  // when emulated
  std::string stderr_tail;
  int exit_code = 0;
  std::string attempt_error;  // its error (a cancelled task's earlier failure)
  std::string reason;       // why the task ended: error, cancel or stop note, unplaceable reasons, rejection
  bool final = false;
  bool unplaceable = false;
  bool rejected = false;
  bool succeeded() const { return final && !unplaceable && !rejected && status == task_status::succeeded; }
};

class run_progress {
public:
  explicit run_progress(std::size_t parallel_slots);

  /// Feeds one update; returns the finished-task line data when a task became final.
  std::optional<finished_task> on_update(const task_update& update);
  /// `tasks` more tasks are being submitted: the total counts them from the
  /// start, not as their first updates arrive (tasks rejected at once, a run
  /// that fails before it starts them).
  void expect(std::size_t tasks);
  /// Its total is the tasks expected, or the tasks seen where more (a
  /// duplicate id's rejection is one more).
  progress_snapshot snapshot() const;
  /// Every task seen, in first-seen order.
  std::vector<task_summary> tasks() const;

private:
  /// What the attempt that decides a task left (and why the task ended): the
  /// report of its finished update, else of all its reports the one
  /// decides_over picks (attempt_record.hpp), as JUnit does. Only tasks that
  /// ran or ended have one, so a queued task costs its id and a few numbers.
  struct attempt_detail {
    double duration_s = 0.0;
    double wall_s = 0.0;
    std::optional<double> modeled_s;
    std::string stderr_tail;
    int exit_code = 0;
    std::string error;   // the attempt's
    std::string reason;  // the task's: why it ended
    // Which attempt it was and how it ended: what decides_over compares.
    bool reported = false;
    int attempt = 0;
    task_status status = task_status::failed;
    double start_unix_s = 0.0, end_unix_s = 0.0;
    bool decided_over_by(const attempt_record& report) const;
    void keep(const attempt_record& report);
  };
  struct entry {
    std::string task_id;
    std::unique_ptr<attempt_detail> detail;
    std::chrono::steady_clock::time_point assigned_at{};
    double predicted_s = 0.0;
    int attempts = 0;
    std::uint32_t worker = no_worker;  // index into workers_
    task_event_kind last_kind = task_event_kind::accepted;
    task_status status = task_status::pending;
    bool final = false;
    bool unplaceable = false;
    bool rejected = false;
    bool on_worker = false;
    bool ended_unreported = false;  // its finished update had no report: later ones may decide it
    bool succeeded() const { return final && !unplaceable && !rejected && status == task_status::succeeded; }
    attempt_detail& details() {
      if (!detail) detail = std::make_unique<attempt_detail>();
      return *detail;
    }
    const std::string& reason() const;
  };
  static constexpr std::uint32_t no_worker = static_cast<std::uint32_t>(-1);
  std::uint32_t worker_key(const std::string& worker_id);
  task_summary summary_of(const entry& e) const;
  /// What snapshot() adds up, kept as entries change so that a snapshot
  /// costs the running tasks only, not every task (it follows every
  /// finished task: a whole scan each time made a run quadratic).
  struct totals {
    std::size_t succeeded = 0, cancelled = 0, failed = 0, pending = 0;
    std::size_t predicted_n = 0;            // entries with a prediction
    double predicted_sum = 0.0;
    std::size_t pending_unpredicted = 0;    // pending entries without one
    double pending_predicted_sum = 0.0;
  };
  void count(std::size_t index, int sign);
  std::optional<finished_task> apply(entry& e, const task_update& u);
  void take_late_report(entry& e, const attempt_record& report);

  mutable std::mutex mutex_;
  std::size_t parallel_slots_;
  std::size_t expected_tasks_ = 0;
  std::chrono::steady_clock::time_point started_at_;
  std::deque<entry> entries_;  // grows without copying or doubled capacity; addresses stay
  std::unordered_map<std::string_view, std::size_t> index_;  // views the entries' ids; lookup only
  std::vector<std::string> workers_;  // worker ids, each once
  std::unordered_map<std::string, std::uint32_t> worker_index_;
  totals totals_;
  std::unordered_set<std::size_t> running_;  // entries on a worker
};

} // namespace dtf
