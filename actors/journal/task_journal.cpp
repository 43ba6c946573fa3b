#include "actors/journal/task_journal.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <chrono>
#include <stdexcept>

namespace dtf {

namespace {

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, sequence INTEGER, type TEXT, model TEXT, batch_size INTEGER, priority INTEGER,
  command TEXT, retries INTEGER, timeout_s REAL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  worker_id TEXT, reason TEXT, unplaceable INTEGER NOT NULL DEFAULT 0, submitted_at REAL, updated_at REAL);
CREATE TABLE IF NOT EXISTS attempts (
  task_id TEXT NOT NULL, attempt INTEGER NOT NULL, worker_id TEXT, status TEXT, exit_code INTEGER,
  started_at REAL, finished_at REAL, duration_s REAL, predicted_s REAL, model TEXT, type TEXT, error TEXT,
  metrics TEXT, PRIMARY KEY (task_id, attempt, worker_id));
CREATE TABLE IF NOT EXISTS workers (
  id TEXT PRIMARY KEY, kind TEXT, name TEXT, emulated INTEGER, registered_at REAL, lost_at REAL);
)sql";

} // namespace

task_journal::task_journal(const std::string& path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("journal " + path + ": " + msg);
  }
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec(schema);
    auto prepare = [this, &path](const char* sql, sqlite3_stmt** stmt) {
      if (sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) != SQLITE_OK)
        throw std::runtime_error("journal " + path + ": " + sqlite3_errmsg(db_));
    };
    prepare("INSERT OR REPLACE INTO tasks (id, sequence, type, model, batch_size, priority, command, retries, "
            "timeout_s, status, attempts, submitted_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,'pending',0,?,?)",
            &insert_task_);
    prepare("UPDATE tasks SET status=?, attempts=?, worker_id=?, reason=?, unplaceable=?, updated_at=? WHERE id=?",
            &update_task_);
    prepare("INSERT OR REPLACE INTO attempts (task_id, attempt, worker_id, status, exit_code, started_at, "
            "finished_at, duration_s, predicted_s, model, type, error, metrics) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            &insert_attempt_);
    prepare("INSERT OR REPLACE INTO workers (id, kind, name, emulated, registered_at, lost_at) VALUES (?,?,?,?,?,NULL)",
            &upsert_worker_);
    prepare("UPDATE workers SET lost_at=? WHERE id=?", &lose_worker_);
  } catch (...) {
    close();
    throw;
  }
}

task_journal::~task_journal() { close(); }

void task_journal::close() {
  if (!db_) return;
  if (in_transaction_) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  for (auto* s : {insert_task_, update_task_, insert_attempt_, upsert_worker_, lose_worker_}) sqlite3_finalize(s);
  insert_task_ = update_task_ = insert_attempt_ = upsert_worker_ = lose_worker_ = nullptr;
  sqlite3_close(db_);
  db_ = nullptr;
}

void task_journal::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("journal: " + msg);
  }
}

void task_journal::begin() {
  if (in_transaction_) return;
  exec("BEGIN");
  in_transaction_ = true;
}

void task_journal::commit() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  exec("COMMIT");
}

namespace {

void bind_text(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.c_str(), -1, SQLITE_TRANSIENT); }

void step(sqlite3* db, sqlite3_stmt* s) {
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string{"journal: "} + sqlite3_errmsg(db));
}

} // namespace

void task_journal::task_accepted(const task& t) {
  begin();
  auto* s = insert_task_;
  bind_text(s, 1, t.id);
  sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(t.sequence));
  bind_text(s, 3, std::string{to_string(t.type)});
  bind_text(s, 4, t.model);
  sqlite3_bind_int(s, 5, t.batch_size);
  sqlite3_bind_int(s, 6, t.priority);
  bind_text(s, 7, nlohmann::json(t.command).dump());
  sqlite3_bind_int(s, 8, t.retries);
  sqlite3_bind_double(s, 9, finite_or(t.timeout_s));
  const double now = unix_now_s();
  sqlite3_bind_double(s, 10, now);
  sqlite3_bind_double(s, 11, now);
  step(db_, s);
}

void task_journal::task_changed(const std::string& task_id, task_status status, int attempts,
                                const std::string& worker_id, const std::string& reason, bool unplaceable) {
  begin();
  auto* s = update_task_;
  bind_text(s, 1, unplaceable ? std::string{"unplaceable"} : std::string{to_string(status)});
  sqlite3_bind_int(s, 2, attempts);
  bind_text(s, 3, worker_id);
  bind_text(s, 4, reason);
  sqlite3_bind_int(s, 5, unplaceable ? 1 : 0);
  sqlite3_bind_double(s, 6, unix_now_s());
  bind_text(s, 7, task_id);
  step(db_, s);
}

void task_journal::attempt_finished(const attempt_report& report) {
  begin();
  const auto& r = report.result;
  auto* s = insert_attempt_;
  bind_text(s, 1, r.task_id);
  sqlite3_bind_int(s, 2, r.attempt);
  bind_text(s, 3, r.worker_id);
  bind_text(s, 4, std::string{to_string(r.status)});
  sqlite3_bind_int(s, 5, r.exit_code);
  sqlite3_bind_double(s, 6, finite_or(report.started_at_s));
  sqlite3_bind_double(s, 7, finite_or(report.finished_at_s));
  sqlite3_bind_double(s, 8, finite_or(r.duration_s));
  sqlite3_bind_double(s, 9, finite_or(report.predicted_duration_s));
  bind_text(s, 10, r.model);
  bind_text(s, 11, std::string{to_string(r.type)});
  bind_text(s, 12, report.error);
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [k, v] : r.metrics) metrics[k] = finite_or(v);
  bind_text(s, 13, metrics.dump());
  step(db_, s);
}

void task_journal::worker_registered(const worker_capability& worker) {
  begin();
  auto* s = upsert_worker_;
  bind_text(s, 1, worker.id);
  bind_text(s, 2, std::string{to_string(worker.kind)});
  bind_text(s, 3, worker.name);
  sqlite3_bind_int(s, 4, worker.emulated ? 1 : 0);
  sqlite3_bind_double(s, 5, unix_now_s());
  step(db_, s);
}

void task_journal::worker_lost(const std::string& worker_id) {
  begin();
  auto* s = lose_worker_;
  sqlite3_bind_double(s, 1, unix_now_s());
  bind_text(s, 2, worker_id);
  step(db_, s);
}

} // namespace dtf
