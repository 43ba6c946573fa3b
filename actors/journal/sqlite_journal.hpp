#pragma once
// The journal: an embedded SQLite file (WAL) holding runs, accepted tasks,
// attempts, workers and the execution history that makes the next run start
// warm. CAF-free: the coordinator (or anything else) calls it directly.
//
// Writes are queued and committed by one writer thread in batches (every
// `batch_rows` records or `batch_interval_s` after the first uncommitted one),
// so recording costs the caller a queue push. flush() blocks until everything
// recorded before it is committed: call it before acknowledging a state change
// that must survive a crash. Committed means: survives a crash of dtf (WAL,
// synchronous=NORMAL); with `durable_commits` also a power loss (FULL).
//
// A journal that fails while running (disk full, file removed) stops writing:
// record_* never throw for that, flush() and error() report it.
#include "actors/journal/journal_error.hpp"
#include "actors/journal/journal_records.hpp"
#include "scheduler/model/attempt_record.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/worker.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dtf {

namespace sqlite {
class connection;
}

struct journal_options {
  /// Commit after this many queued records ...
  std::size_t batch_rows = 4096;
  /// ... or this long after the first uncommitted one, whichever comes first.
  double batch_interval_s = 0.005;
  /// A producer waits when this many records are queued (back-pressure).
  std::size_t max_queued = 65536;
  /// History rows kept (oldest pruned first); 0 keeps everything.
  std::size_t history_limit = 200000;
  /// Runs kept with their tasks and attempts (oldest pruned at begin_run); 0 keeps all.
  std::size_t runs_kept = 100;
  /// synchronous=FULL: commits survive a power loss, at an fsync each.
  bool durable_commits = false;
  /// Open an existing journal for reading only (dtf history); never creates.
  bool read_only = false;
};

/// The current schema version (schema_version table); older files are migrated.
inline constexpr int journal_schema_version = 5;

class sqlite_journal {
public:
  /// Opens or creates the journal (creating missing parent directories).
  /// Throws journal_error naming the file: not a database, damaged, newer
  /// schema, read-only directory, missing file in read_only mode.
  explicit sqlite_journal(std::filesystem::path file, journal_options options = {});
  /// Commits what is queued (errors are swallowed: call flush() to see them).
  ~sqlite_journal();
  sqlite_journal(const sqlite_journal&) = delete;
  sqlite_journal& operator=(const sqlite_journal&) = delete;

  const std::filesystem::path& file() const { return file_; }

  /// $DTF_JOURNAL, else $XDG_STATE_HOME/dtf/journal.sqlite, else
  /// ~/.local/state/dtf/journal.sqlite (relative to "." without HOME).
  static std::filesystem::path default_path();

  // -- runs (synchronous: committed when they return) -------------------------
  /// Starts a run and makes it the current one; prunes runs beyond runs_kept.
  std::int64_t begin_run(const std::string& suite);
  /// Continues an earlier run after a restart (it becomes the current one,
  /// marked "running" again). Throws journal_error when the run is unknown.
  void resume_run(std::int64_t run_id);
  /// Marks a run finished ("finished", "failed", "cancelled", ...).
  void finish_run(std::int64_t run_id, const std::string& status = "finished");
  std::optional<std::int64_t> current_run() const;

  // -- recording (queued; durable after flush) --------------------------------
  // Each needs a current run (begin_run or resume_run), else throws journal_error.
  /// A task was accepted: its full definition, status pending, 0 attempts.
  void record_task_submitted(const task& t);
  void record_task_submitted(task&& t);
  /// Lifecycle change. A final status (succeeded, failed, timed_out,
  /// cancelled) means no more attempts: recover_unfinished skips the task.
  void record_state(const std::string& task_id, task_status status);
  /// An attempt started or ended (inserted or replaced by task id and attempt
  /// number); the task's attempt count is its highest attempt number.
  void record_attempt(const attempt_record& attempt);
  /// A finished attempt: record_attempt plus one history row (the record's
  /// model, type, batch size, device name, kind, speed, measured duration,
  /// prediction from history, status). Does not change the task's status.
  void record_result(const attempt_record& attempt);
  /// A worker registered (first/last seen, capability as JSON).
  void record_worker(const worker_capability& worker);
  /// A worker was lost (its node went away); registering it again clears that.
  void record_worker_lost(const std::string& worker_id);

  /// Blocks until everything recorded so far is committed. Throws
  /// journal_error when the writer failed.
  void flush();
  /// Why the writer stopped, if it did.
  std::optional<std::string> error() const;
  /// Records dropped after a failure.
  std::uint64_t dropped() const;

  // -- reading (each flushes first) -------------------------------------------
  /// The newest `limit` history rows (0: all), oldest first: the order to
  /// replay them in. Each is the record's learning fields (ids of task and
  /// worker, model, type, batch size, device name, kind, speed, status,
  /// duration_s: the measured seconds, predicted_s, end_unix_s).
  std::vector<attempt_record> load_history(std::size_t limit = 0);
  /// History rows out of range, which load_history skips.
  history_rows_skipped skipped_history_rows();
  /// Tasks of the run that were accepted but reached no final status, in
  /// submission order: what a restarted coordinator must run again.
  std::vector<journal_task> recover_unfinished(std::int64_t run_id);
  /// Every task of the run, in submission order.
  std::vector<journal_task> tasks(std::int64_t run_id);
  /// Attempts of the run, in recording order, with what the results file
  /// wrote of them (duration_s wall seconds, modeled_s, predicted_s and where
  /// it came from, worker_slots; rows from before schema 3 say only
  /// duration_s, the measured seconds, and predicted_s, its source unknown).
  /// Throws journal_error naming the attempt and field when a value is out of range.
  std::vector<attempt_record> attempts(std::int64_t run_id);
  /// Runs kept, newest first.
  std::vector<journal_run> runs();
  /// The newest run still marked "running" (dtf stopped without finishing it).
  std::optional<journal_run> latest_unfinished_run();
  std::uint64_t history_size();
  journal_summary summary();

private:
  struct operation;
  struct handles;
  void open_schema();
  void enqueue(operation op);
  void writer_loop();
  void write_batch(std::vector<operation>& batch);
  void apply(const operation& op);
  void prune_history();
  std::int64_t require_run() const;
  /// The connection, for readers holding db_mutex_.
  sqlite::connection& connection();

  std::filesystem::path file_;
  journal_options options_;

  // The connection and statements: used by the writer and by readers, under db_mutex_.
  mutable std::mutex db_mutex_;
  std::unique_ptr<handles> db_;
  std::uint64_t history_rows_ = 0;

  // The queue between callers and the writer thread, under queue_mutex_.
  mutable std::mutex queue_mutex_;
  std::condition_variable writer_wake_;
  std::condition_variable committed_cv_;
  std::vector<operation> queue_;
  std::chrono::steady_clock::time_point first_queued_at_;
  std::uint64_t enqueued_ = 0;
  std::uint64_t committed_ = 0;
  std::uint64_t dropped_ = 0;
  int flush_waiters_ = 0;
  bool stopping_ = false;
  std::optional<std::string> failure_;
  std::optional<std::int64_t> current_run_;
  std::string current_suite_;
  std::thread writer_;
};

} // namespace dtf
