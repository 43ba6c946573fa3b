#pragma once
// The coordinator's journal: a SQLite file recording tasks, their lifecycle,
// every attempt and the workers. The coordinator writes each handler's changes
// in one transaction, committed before the handler's reply or events leave it.
// CAF-free.
#include "actors/messages.hpp"

#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace dtf {

class task_journal {
public:
  /// Opens (creating if needed) the SQLite file. Throws std::runtime_error
  /// naming the path on failure.
  explicit task_journal(const std::string& path);
  ~task_journal();
  task_journal(const task_journal&) = delete;
  task_journal& operator=(const task_journal&) = delete;

  void task_accepted(const task& t);
  void task_changed(const std::string& task_id, task_status status, int attempts, const std::string& worker_id,
                    const std::string& reason, bool unplaceable);
  void attempt_finished(const attempt_report& report);
  void worker_registered(const worker_capability& worker);
  void worker_lost(const std::string& worker_id);
  /// Commits what was written since the last commit (no-op if nothing).
  void commit();

private:
  void begin();
  void close();
  void exec(const char* sql);
  sqlite3* db_ = nullptr;
  bool in_transaction_ = false;
  sqlite3_stmt* insert_task_ = nullptr;
  sqlite3_stmt* update_task_ = nullptr;
  sqlite3_stmt* insert_attempt_ = nullptr;
  sqlite3_stmt* upsert_worker_ = nullptr;
  sqlite3_stmt* lose_worker_ = nullptr;
};

} // namespace dtf
