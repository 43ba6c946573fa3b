#include "actors/journal/sqlite_journal.hpp"

#include "actors/journal/sqlite_connection.hpp"
#include "actors/journal/task_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace dtf {
namespace {

// Schema migrations: entry i takes a journal from version i to i + 1. A new
// version appends an entry; files written by older dtf are migrated on open.
constexpr std::string_view migrations[] = {
  R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (0);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  suite TEXT NOT NULL,
  started_unix_s REAL NOT NULL,
  finished_unix_s REAL,
  status TEXT NOT NULL);
CREATE TABLE tasks (
  run_id INTEGER NOT NULL,
  id TEXT NOT NULL,
  suite TEXT NOT NULL,
  definition TEXT NOT NULL,
  status TEXT NOT NULL,
  submitted_unix_s REAL NOT NULL,
  updated_unix_s REAL NOT NULL,
  UNIQUE (run_id, id));
CREATE TABLE attempts (
  run_id INTEGER NOT NULL,
  task_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  status TEXT NOT NULL,
  exit_code INTEGER NOT NULL,
  term_signal INTEGER NOT NULL,
  start_unix_s REAL,
  end_unix_s REAL,
  duration_s REAL,
  predicted_s REAL,
  metrics TEXT NOT NULL,
  model TEXT NOT NULL,
  type TEXT NOT NULL,
  batch_size INTEGER NOT NULL,
  error TEXT NOT NULL,
  UNIQUE (run_id, task_id, attempt));
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  capability TEXT NOT NULL,
  first_seen_unix_s REAL NOT NULL,
  last_seen_unix_s REAL NOT NULL);
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  run_id INTEGER,
  task_id TEXT NOT NULL,
  model TEXT NOT NULL,
  type TEXT NOT NULL,
  batch_size INTEGER NOT NULL,
  device_name TEXT NOT NULL,
  device_kind TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  speed REAL NOT NULL,
  duration_s REAL NOT NULL,
  predicted_s REAL,
  status TEXT NOT NULL,
  timestamp_unix_s REAL NOT NULL);
CREATE INDEX history_by_model_device ON history (model, device_name);
)sql",
  // 1 -> 2: when a worker was lost (NULL while it is registered).
  R"sql(
ALTER TABLE workers ADD COLUMN lost_unix_s REAL;
)sql",
  // 2 -> 3: the rest of what the results file says of an attempt, so that a
  // resumed run repeats it as first written. duration_s stays the measured
  // seconds (modeled when emulated, as in history); wall_s is wall seconds,
  // modeled_s the model's seconds (NULL when not emulated), predicted_from
  // 'history' or 'default' (NULL without a prediction), worker_slots the
  // worker's slots (NULL when not known). A NULL wall_s: a row written before.
  R"sql(
ALTER TABLE attempts ADD COLUMN wall_s REAL;
ALTER TABLE attempts ADD COLUMN modeled_s REAL;
ALTER TABLE attempts ADD COLUMN predicted_from TEXT;
ALTER TABLE attempts ADD COLUMN worker_slots INTEGER;
)sql",
  // 3 -> 4: the clock of a history row's duration_s, 'modeled' (an emulated
  // worker's model seconds) or 'wall', so that learning keeps the two apart.
  // Older rows take it from their own attempt where it was written with
  // schema 3 (wall_s set: modeled_s says whether it was emulated), else from
  // their worker's latest capability where the workers table has it; NULL
  // (not known) is learned as wall.
  R"sql(
ALTER TABLE history ADD COLUMN clock TEXT;
UPDATE history SET clock = coalesce(
  (SELECT CASE WHEN a.modeled_s IS NULL THEN 'wall' ELSE 'modeled' END FROM attempts a
    WHERE a.run_id = history.run_id AND a.task_id = history.task_id AND a.worker_id = history.worker_id
      AND a.wall_s IS NOT NULL
    ORDER BY a.attempt DESC LIMIT 1),
  (SELECT CASE json_extract(w.capability, '$.emulated') WHEN 1 THEN 'modeled' WHEN 0 THEN 'wall' END
    FROM workers w WHERE w.id = history.worker_id AND json_valid(w.capability)));
)sql",
  // 4 -> 5: attempts.status may be 'running' (an attempt journaled from its
  // placement until its report) or 'lost' (ended with its worker): a dtf that
  // knows neither refuses the file by its version, not by a status it cannot
  // read. No table changes: a version 4 file is read as it is (the dtf that
  // began writing them wrote version 4).
  R"sql(
SELECT 1;
)sql",
};
static_assert(std::size(migrations) == journal_schema_version);

double now_unix_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double finite_or_zero(double value) { return std::isfinite(value) ? value : 0.0; }

std::string metrics_json(const std::map<std::string, double>& metrics) {
  if (metrics.empty()) return "{}";
  auto out = nlohmann::json::object();
  for (const auto& [name, value] : metrics)
    if (std::isfinite(value)) out[name] = value;
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string capability_json(const worker_capability& w) {
  nlohmann::json out;
  out["id"] = w.id;
  out["kind"] = std::string{to_string(w.kind)};
  out["name"] = w.name;
  out["memory_bytes"] = w.memory_bytes;
  out["compute_capability"] = w.compute_capability ? nlohmann::json(*w.compute_capability) : nlohmann::json(nullptr);
  out["arch"] = w.arch;
  out["cores"] = w.cores;
  out["pus"] = w.pus;
  out["labels"] = w.labels;
  out["slots"] = w.slots;
  out["speed"] = finite_or_zero(w.speed);
  out["emulated"] = w.emulated;
  out["cpuset"] = w.cpuset;
  out["numa_nodes"] = w.numa_nodes;
  out["pci_bus_id"] = w.pci_bus_id;
  out["device_index"] = w.device_index;
  if (!w.visible_device.empty()) out["visible_device"] = w.visible_device;
  out["host"] = w.host;
  out["backends"] = w.backends;
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

// -- queued operations ---------------------------------------------------------

struct sqlite_journal::operation {
  struct submitted {
    task definition;
    std::string suite;
  };
  struct state {
    std::string task_id;
    task_status status;
  };
  struct attempt {
    attempt_record record;
    bool history = false;  // also a history row
  };
  struct worker {
    worker_capability capability;
  };
  struct worker_lost {
    std::string worker_id;
  };
  std::int64_t run_id = 0;
  double at_unix_s = 0.0;
  std::variant<submitted, state, attempt, worker, worker_lost> what;
};

struct sqlite_journal::handles {
  sqlite::connection db;
  sqlite::statement begin, commit, rollback;
  sqlite::statement upsert_task, update_state, upsert_attempt, insert_history, upsert_worker, lose_worker;

  handles(const std::filesystem::path& file, bool read_only) : db(file, read_only) {}

  void prepare_writes() {
    begin = sqlite::statement(db, "BEGIN");
    commit = sqlite::statement(db, "COMMIT");
    rollback = sqlite::statement(db, "ROLLBACK");
    upsert_task = sqlite::statement(db,
        "INSERT INTO tasks (run_id, id, suite, definition, status, submitted_unix_s, updated_unix_s) "
        "VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5) "
        "ON CONFLICT (run_id, id) DO UPDATE SET definition = excluded.definition, status = 'pending', "
        "updated_unix_s = excluded.updated_unix_s");
    update_state = sqlite::statement(db,
        "UPDATE tasks SET status = ?3, updated_unix_s = ?4 WHERE run_id = ?1 AND id = ?2");
    upsert_attempt = sqlite::statement(db,
        "INSERT INTO attempts (run_id, task_id, attempt, worker_id, status, exit_code, term_signal, start_unix_s, "
        "end_unix_s, duration_s, predicted_s, metrics, model, type, batch_size, error, wall_s, modeled_s, "
        "predicted_from, worker_slots) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
        "ON CONFLICT (run_id, task_id, attempt) DO UPDATE SET worker_id = excluded.worker_id, "
        "status = excluded.status, exit_code = excluded.exit_code, term_signal = excluded.term_signal, "
        "start_unix_s = excluded.start_unix_s, end_unix_s = excluded.end_unix_s, duration_s = excluded.duration_s, "
        "predicted_s = excluded.predicted_s, metrics = excluded.metrics, model = excluded.model, "
        "type = excluded.type, batch_size = excluded.batch_size, error = excluded.error, wall_s = excluded.wall_s, "
        "modeled_s = excluded.modeled_s, predicted_from = excluded.predicted_from, "
        "worker_slots = excluded.worker_slots");
    insert_history = sqlite::statement(db,
        "INSERT INTO history (run_id, task_id, model, type, batch_size, device_name, device_kind, worker_id, speed, "
        "duration_s, predicted_s, status, timestamp_unix_s, clock) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    upsert_worker = sqlite::statement(db,
        "INSERT INTO workers (id, kind, name, capability, first_seen_unix_s, last_seen_unix_s) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
        "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, "
        "capability = excluded.capability, last_seen_unix_s = excluded.last_seen_unix_s, lost_unix_s = NULL");
    lose_worker = sqlite::statement(db,
        "UPDATE workers SET lost_unix_s = ?2, last_seen_unix_s = ?2 WHERE id = ?1");
  }
};

// -- opening -------------------------------------------------------------------

std::filesystem::path sqlite_journal::default_path() {
  if (const char* explicit_path = std::getenv("DTF_JOURNAL"); explicit_path && *explicit_path) return explicit_path;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    return std::filesystem::path{state} / "dtf" / "journal.sqlite";
  const char* home = std::getenv("HOME");
  return std::filesystem::path{home && *home ? home : "."} / ".local" / "state" / "dtf" / "journal.sqlite";
}

sqlite_journal::sqlite_journal(std::filesystem::path file, journal_options options)
  : file_(std::move(file)), options_(options) {
  if (options_.batch_rows == 0) options_.batch_rows = 1;
  if (options_.max_queued < options_.batch_rows) options_.max_queued = options_.batch_rows;
  if (!std::isfinite(options_.batch_interval_s) || options_.batch_interval_s < 0) options_.batch_interval_s = 0;
  std::error_code ec;
  if (options_.read_only) {
    if (!std::filesystem::exists(file_, ec)) throw journal_error(file_, "does not exist");
  } else if (file_.has_parent_path() && !std::filesystem::exists(file_.parent_path(), ec)) {
    std::filesystem::create_directories(file_.parent_path(), ec);
    if (ec) throw journal_error(file_, "cannot create directory '" + file_.parent_path().string() + "': " + ec.message());
  }
  if (std::filesystem::is_directory(file_, ec)) throw journal_error(file_, "is a directory");
  db_ = std::make_unique<handles>(file_, options_.read_only);
  open_schema();
  if (!options_.read_only) {
    db_->prepare_writes();
    writer_ = std::thread([this] { writer_loop(); });
  }
}

void sqlite_journal::open_schema() {
  auto& db = db_->db;
  db.exec("PRAGMA busy_timeout = 5000");
  // The first read of the file: garbage shows up here as "file is not a database".
  sqlite::statement tables;
  try {
    tables = sqlite::statement(db, "SELECT count(*), coalesce(sum(name = 'schema_version'), 0) FROM sqlite_master");
    tables.step();
  } catch (const journal_error&) {
    db.fail_last("cannot read it");  // the same error without the SQL text
  }
  const auto table_count = tables.column_int(0);
  const bool has_version = tables.column_int(1) > 0;
  tables.reset();

  int version = 0;
  if (has_version) {
    sqlite::statement read_version(db, "SELECT max(version) FROM schema_version");
    if (read_version.step()) version = static_cast<int>(read_version.column_int(0));
  } else if (table_count > 0) {
    throw journal_error(file_, "is an SQLite database but not a dtf journal (it has no schema_version table)");
  } else if (options_.read_only) {
    throw journal_error(file_, "is empty, not a dtf journal");
  }
  if (version > journal_schema_version)
    throw journal_error(file_, "has schema version " + std::to_string(version) + ", newer than this dtf understands (" +
                                   std::to_string(journal_schema_version) + ")");
  if (options_.read_only) {
    if (version < journal_schema_version)
      throw journal_needs_migration(file_, "has schema version " + std::to_string(version) +
                                               " (an older dtf); open it read-write to migrate");
  } else {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(options_.durable_commits ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    // Fewer, larger checkpoints (each one syncs) and a cache for the indexes
    // of a large run: the writer keeps up with bursts of results. 8 MB, not
    // more: the cache is memory a run holds to its end (with 32 MB, 100,000
    // queued tasks' rows filled it), and journal_bench records 100,000
    // results as fast with 8 MB as with 32 MB.
    db.exec("PRAGMA wal_autocheckpoint = 8192; PRAGMA cache_size = -8192");
    if (version < journal_schema_version) {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (int v = version; v < journal_schema_version; ++v) db.exec(migrations[v]);
        db.exec("UPDATE schema_version SET version = " + std::to_string(journal_schema_version));
        db.exec("COMMIT");
      } catch (...) {
        try {
          db.exec("ROLLBACK");
        } catch (const journal_error&) {
        }
        throw;
      }
    }
  }
  sqlite::statement count(db, "SELECT count(*) FROM history");
  count.step();
  history_rows_ = static_cast<std::uint64_t>(count.column_int(0));
}

sqlite_journal::~sqlite_journal() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock{queue_mutex_};
      stopping_ = true;
    }
    writer_wake_.notify_all();
    writer_.join();
  }
}

// -- runs ----------------------------------------------------------------------

std::int64_t sqlite_journal::begin_run(const std::string& suite) {
  if (options_.read_only) throw journal_error(file_, "is open read-only");
  flush();
  std::int64_t id = 0;
  {
    std::lock_guard lock{db_mutex_};
    auto& db = db_->db;
    db.exec("BEGIN IMMEDIATE");
    try {
      sqlite::statement insert(db, "INSERT INTO runs (suite, started_unix_s, status) VALUES (?1, ?2, 'running')");
      insert.bind(1, suite).bind(2, now_unix_s()).run();
      id = db.last_insert_rowid();
      if (options_.runs_kept > 0) {
        // Everything of runs older than the newest runs_kept goes, history excepted.
        const auto oldest_kept = std::to_string(id - static_cast<std::int64_t>(options_.runs_kept) + 1);
        db.exec("DELETE FROM attempts WHERE run_id < " + oldest_kept + "; DELETE FROM tasks WHERE run_id < " +
                oldest_kept + "; DELETE FROM runs WHERE id < " + oldest_kept);
      }
      db.exec("COMMIT");
    } catch (...) {
      try {
        db.exec("ROLLBACK");
      } catch (const journal_error&) {
      }
      throw;
    }
  }
  std::lock_guard lock{queue_mutex_};
  current_run_ = id;
  current_suite_ = suite;
  return id;
}

void sqlite_journal::resume_run(std::int64_t run_id) {
  std::string suite;
  {
    std::lock_guard lock{db_mutex_};
    sqlite::statement find(db_->db, "SELECT suite FROM runs WHERE id = ?1");
    find.bind(1, run_id);
    if (!find.step()) throw journal_error(file_, "has no run " + std::to_string(run_id));
    suite = find.column_text(0);
    // Running again: a crash during the resumed part leaves it unfinished too.
    sqlite::statement reopen(db_->db, "UPDATE runs SET finished_unix_s = NULL, status = 'running' WHERE id = ?1");
    reopen.bind(1, run_id).run();
  }
  std::lock_guard lock{queue_mutex_};
  current_run_ = run_id;
  current_suite_ = std::move(suite);
}

void sqlite_journal::finish_run(std::int64_t run_id, const std::string& status) {
  if (options_.read_only) throw journal_error(file_, "is open read-only");
  flush();
  std::lock_guard lock{db_mutex_};
  sqlite::statement update(db_->db, "UPDATE runs SET finished_unix_s = ?2, status = ?3 WHERE id = ?1");
  update.bind(1, run_id).bind(2, now_unix_s()).bind(3, status).run();
}

std::optional<std::int64_t> sqlite_journal::current_run() const {
  std::lock_guard lock{queue_mutex_};
  return current_run_;
}

// -- recording -----------------------------------------------------------------

void sqlite_journal::record_task_submitted(const task& t) {
  operation op;
  op.what = operation::submitted{t, {}};
  enqueue(std::move(op));
}

void sqlite_journal::record_task_submitted(task&& t) {
  operation op;
  op.what = operation::submitted{std::move(t), {}};
  enqueue(std::move(op));
}

void sqlite_journal::record_state(const std::string& task_id, task_status status) {
  operation op;
  op.what = operation::state{task_id, status};
  enqueue(std::move(op));
}

void sqlite_journal::record_attempt(const attempt_record& attempt) {
  operation op;
  op.what = operation::attempt{attempt, false};
  enqueue(std::move(op));
}

void sqlite_journal::record_result(const attempt_record& attempt) {
  operation op;
  op.what = operation::attempt{attempt, true};
  enqueue(std::move(op));
}

void sqlite_journal::record_worker(const worker_capability& worker) {
  operation op;
  op.what = operation::worker{worker};
  enqueue(std::move(op));
}

void sqlite_journal::record_worker_lost(const std::string& worker_id) {
  operation op;
  op.what = operation::worker_lost{worker_id};
  enqueue(std::move(op));
}

sqlite::connection& sqlite_journal::connection() { return db_->db; }

std::int64_t sqlite_journal::require_run() const {
  if (!current_run_) throw journal_error(file_, "nothing can be recorded before begin_run or resume_run");
  return *current_run_;
}

void sqlite_journal::enqueue(operation op) {
  if (options_.read_only) throw journal_error(file_, "is open read-only");
  op.at_unix_s = now_unix_s();
  std::unique_lock lock{queue_mutex_};
  const bool about_a_worker =
      std::holds_alternative<operation::worker>(op.what) || std::holds_alternative<operation::worker_lost>(op.what);
  op.run_id = about_a_worker ? 0 : require_run();
  if (auto* submitted = std::get_if<operation::submitted>(&op.what)) submitted->suite = current_suite_;
  if (failure_) {
    ++dropped_;
    return;
  }
  // Back-pressure: a producer faster than the disk waits instead of growing the queue.
  if (queue_.size() >= options_.max_queued)
    committed_cv_.wait(lock, [&] { return queue_.size() < options_.max_queued || failure_ || stopping_; });
  if (queue_.empty()) {
    first_queued_at_ = std::chrono::steady_clock::now();
    queue_.push_back(std::move(op));
    ++enqueued_;
    lock.unlock();
    writer_wake_.notify_one();
    return;
  }
  queue_.push_back(std::move(op));
  ++enqueued_;
  if (queue_.size() == options_.batch_rows) {
    lock.unlock();
    writer_wake_.notify_one();
  }
}

void sqlite_journal::flush() {
  if (options_.read_only) return;
  std::unique_lock lock{queue_mutex_};
  const auto target = enqueued_;
  if (committed_ < target && !failure_) {
    ++flush_waiters_;
    writer_wake_.notify_one();
    committed_cv_.wait(lock, [&] { return committed_ >= target || failure_.has_value(); });
    --flush_waiters_;
  }
  if (failure_) throw journal_error(file_, "writing stopped: " + *failure_);
}

std::optional<std::string> sqlite_journal::error() const {
  std::lock_guard lock{queue_mutex_};
  return failure_;
}

std::uint64_t sqlite_journal::dropped() const {
  std::lock_guard lock{queue_mutex_};
  return dropped_;
}

// -- the writer thread ---------------------------------------------------------

void sqlite_journal::writer_loop() {
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(options_.batch_interval_s));
  std::vector<operation> batch;
  std::unique_lock lock{queue_mutex_};
  for (;;) {
    writer_wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    // Gather a batch: full, or the interval since the first record, or a flush / stop.
    writer_wake_.wait_until(lock, first_queued_at_ + interval, [&] {
      return stopping_ || flush_waiters_ > 0 || queue_.size() >= options_.batch_rows;
    });
    batch.swap(queue_);
    const auto upto = enqueued_;
    const bool failed = failure_.has_value();
    lock.unlock();
    committed_cv_.notify_all();  // producers waiting on back-pressure
    std::optional<std::string> error;
    if (!failed) {
      try {
        write_batch(batch);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    batch.clear();
    lock.lock();
    if (error) {
      failure_ = std::move(error);
      dropped_ += queue_.size();
      queue_.clear();
    }
    committed_ = upto;
    committed_cv_.notify_all();
  }
}

void sqlite_journal::write_batch(std::vector<operation>& batch) {
  std::lock_guard lock{db_mutex_};
  auto& h = *db_;
  h.begin.run();
  try {
    bool history_added = false;
    for (const auto& op : batch) {
      apply(op);
      if (auto* a = std::get_if<operation::attempt>(&op.what); a && a->history) history_added = true;
    }
    if (history_added) prune_history();
    h.commit.run();
  } catch (...) {
    try {
      h.rollback.run();
    } catch (const journal_error&) {
    }
    throw;
  }
}

void sqlite_journal::apply(const operation& op) {
  auto& h = *db_;
  if (const auto* s = std::get_if<operation::submitted>(&op.what)) {
    h.upsert_task.bind(1, op.run_id)
        .bind(2, s->definition.id)
        .bind(3, s->suite)
        .bind(4, task_to_json(s->definition))
        .bind(5, op.at_unix_s)
        .run();
  } else if (const auto* st = std::get_if<operation::state>(&op.what)) {
    h.update_state.bind(1, op.run_id).bind(2, st->task_id).bind(3, to_string(st->status)).bind(4, op.at_unix_s).run();
  } else if (const auto* a = std::get_if<operation::attempt>(&op.what)) {
    const auto& r = a->record;
    h.upsert_attempt.bind(1, op.run_id)
        .bind(2, r.task_id)
        .bind(3, r.attempt)
        .bind(4, r.worker_id)
        .bind(5, to_string(r.status))
        .bind(6, r.exit_code)
        .bind(7, r.term_signal)
        .bind(8, r.start_unix_s)
        .bind(9, r.end_unix_s)
        .bind(10, r.measured_s())
        .bind(11, r.predicted_s)
        .bind(12, metrics_json(r.metrics))
        .bind(13, r.model)
        .bind(14, to_string(r.type))
        .bind(15, r.batch_size)
        .bind(16, r.error)
        // As the results file writes them (results_jsonl_writer).
        .bind(17, finite_or_zero(r.duration_s))
        .bind(18, r.modeled_s ? std::optional{finite_or_zero(*r.modeled_s)} : std::nullopt);
    const bool predicted = r.predicted_s && std::isfinite(*r.predicted_s);
    if (predicted && r.predicted_from_known) h.upsert_attempt.bind(19, r.predicted_from_history ? "history" : "default");
    else h.upsert_attempt.bind_null(19);
    if (r.worker_slots > 0) h.upsert_attempt.bind(20, r.worker_slots);
    else h.upsert_attempt.bind_null(20);
    h.upsert_attempt.run();
    if (a->history) {
      // Only predictions made from history: a default estimate says nothing about what was learned.
      const bool learned_prediction = r.predicted_from_history && r.predicted_s && std::isfinite(*r.predicted_s);
      h.insert_history.bind(1, op.run_id)
          .bind(2, r.task_id)
          .bind(3, r.model)
          .bind(4, to_string(r.type))
          .bind(5, r.batch_size)
          .bind(6, r.device_name)
          .bind(7, to_string(r.kind))
          .bind(8, r.worker_id)
          .bind(9, std::isfinite(r.speed) && r.speed > 0 ? r.speed : 1.0)
          .bind(10, finite_or_zero(r.measured_s()))
          .bind(11, learned_prediction ? r.predicted_s : std::nullopt)
          .bind(12, to_string(r.status))
          .bind(13, std::isfinite(r.end_unix_s) && r.end_unix_s > 0 ? r.end_unix_s : op.at_unix_s)
          .bind(14, std::string_view{r.modeled_s ? "modeled" : "wall"})
          .run();
      ++history_rows_;
    }
  } else if (const auto* w = std::get_if<operation::worker>(&op.what)) {
    h.upsert_worker.bind(1, w->capability.id)
        .bind(2, to_string(w->capability.kind))
        .bind(3, w->capability.name)
        .bind(4, capability_json(w->capability))
        .bind(5, op.at_unix_s)
        .run();
  } else if (const auto* lost = std::get_if<operation::worker_lost>(&op.what)) {
    h.lose_worker.bind(1, lost->worker_id).bind(2, op.at_unix_s).run();
  }
}

void sqlite_journal::prune_history() {
  if (options_.history_limit == 0 || history_rows_ <= options_.history_limit) return;
  sqlite::statement prune(db_->db,
                          "DELETE FROM history WHERE id <= (SELECT id FROM history ORDER BY id DESC LIMIT 1 OFFSET ?1)");
  prune.bind(1, static_cast<std::int64_t>(options_.history_limit)).run();
  history_rows_ = options_.history_limit;
}

} // namespace dtf
