// sqlite_journal's readers: history to learn from, a run's tasks and
// attempts, the runs kept. Numbers out of range (a file edited or damaged
// outside dtf) are never passed on as they are: history rows are skipped and
// counted, a run's attempts are an error naming the row and field.
#include "actors/journal/history_row_ranges.hpp"
#include "actors/journal/sqlite_connection.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "actors/journal/task_json.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace dtf {
namespace {

task_status status_from(const std::filesystem::path& file, const std::string& text, const char* table) {
  auto status = parse_task_status(text);
  if (!status) throw journal_error(file, std::string{"unknown status '"} + text + "' in table " + table);
  return *status;
}

/// `value` when from 0 to `most`, else journal_error naming the attempt and field.
double checked_seconds(const std::filesystem::path& file, const std::string& where, const char* field, double value,
                       double most, const char* allowed) {
  if (std::isfinite(value) && value >= 0.0 && value <= most) return value;
  char got[32];
  std::snprintf(got, sizeof got, "%g", value);
  throw journal_error(file, where + ": field '" + field + "' must be " + allowed + ", got " + got);
}

/// predicted_from_history of an attempt's predicted_from ('history' or 'default').
bool prediction_source(const std::filesystem::path& file, const std::string& where, const std::string& text) {
  if (text == "history" || text == "default") return text == "history";
  throw journal_error(file, where + ": field 'predicted_from' must be 'history' or 'default', got '" + text + "'");
}

/// An attempt's worker_slots: from 1 to max_worker_slots.
int checked_slots(const std::filesystem::path& file, const std::string& where, std::int64_t slots) {
  if (slots >= 1 && slots <= max_worker_slots) return static_cast<int>(slots);
  throw journal_error(file, where + ": field 'worker_slots' must be from 1 to " + std::to_string(max_worker_slots) +
                                ", got " + std::to_string(slots));
}

} // namespace

std::vector<attempt_record> sqlite_journal::load_history(std::size_t limit) {
  flush();
  std::lock_guard lock{db_mutex_};
  sqlite::statement select(connection(),
      "SELECT model, type, batch_size, device_name, device_kind, worker_id, speed, duration_s, predicted_s, status, "
      "timestamp_unix_s, task_id, clock FROM (SELECT * FROM history WHERE " + history_ranges::in_range_sql() +
      " ORDER BY id DESC LIMIT ?1) ORDER BY id");
  select.bind(1, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
  std::vector<attempt_record> rows;
  while (select.step()) {
    attempt_record row;
    row.model = select.column_text(0);
    row.type = parse_task_type(select.column_text(1)).value_or(task_type::custom);
    row.batch_size = static_cast<int>(select.column_int(2));
    row.device_name = select.column_text(3);
    const auto kind = select.column_text(4);
    auto parsed_kind = parse_device_kind(kind);
    if (!parsed_kind) throw journal_error(file_, "unknown device kind '" + kind + "' in table history");
    row.kind = *parsed_kind;
    row.worker_id = select.column_text(5);
    row.speed = select.column_double(6);
    row.duration_s = select.column_double(7);
    row.predicted_s = select.column_optional_double(8);
    row.predicted_from_history = row.predicted_s.has_value();
    row.status = status_from(file_, select.column_text(9), "history");
    row.end_unix_s = select.column_double(10);
    row.task_id = select.column_text(11);
    // A modeled row's seconds are the model's: learning_worker() then learns
    // them in the emulated clock (NULL, not recorded: wall).
    if (!select.column_is_null(12) && select.column_text(12) == "modeled") row.modeled_s = row.duration_s;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<journal_task> sqlite_journal::tasks(std::int64_t run_id) {
  flush();
  std::lock_guard lock{db_mutex_};
  sqlite::statement select(connection(),
      // A task's attempt count is its highest attempt recorded (read, not kept
      // up to date on every result: one statement less per result).
      "SELECT t.id, t.definition, t.status, (SELECT coalesce(max(a.attempt), 0) FROM attempts a "
      "WHERE a.run_id = t.run_id AND a.task_id = t.id) FROM tasks t WHERE t.run_id = ?1 ORDER BY t.rowid");
  select.bind(1, run_id);
  std::vector<journal_task> out;
  while (select.step()) {
    journal_task t;
    t.run_id = run_id;
    try {
      t.definition = task_from_json(select.column_text(1));
    } catch (const std::runtime_error& e) {
      throw journal_error(file_, "task '" + select.column_text(0) + "' of run " + std::to_string(run_id) + ": " + e.what());
    }
    t.status = status_from(file_, select.column_text(2), "tasks");
    t.attempts = static_cast<int>(select.column_int(3));
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<journal_task> sqlite_journal::recover_unfinished(std::int64_t run_id) {
  auto all = tasks(run_id);
  std::erase_if(all, [](const journal_task& t) { return is_final(t.status); });
  return all;
}

std::vector<attempt_record> sqlite_journal::attempts(std::int64_t run_id) {
  flush();
  std::lock_guard lock{db_mutex_};
  sqlite::statement select(connection(),
      "SELECT task_id, attempt, worker_id, status, exit_code, term_signal, start_unix_s, end_unix_s, duration_s, "
      "predicted_s, metrics, model, type, batch_size, error, wall_s, modeled_s, predicted_from, worker_slots "
      "FROM attempts WHERE run_id = ?1 ORDER BY rowid");
  select.bind(1, run_id);
  std::vector<attempt_record> out;
  while (select.step()) {
    attempt_record a;
    a.task_id = select.column_text(0);
    a.attempt = static_cast<int>(select.column_int(1));
    a.worker_id = select.column_text(2);
    a.status = status_from(file_, select.column_text(3), "attempts");
    a.exit_code = static_cast<int>(select.column_int(4));
    a.term_signal = static_cast<int>(select.column_int(5));
    const auto where = "table attempts, run " + std::to_string(run_id) + ", task '" + a.task_id + "' attempt " +
                       std::to_string(a.attempt);
    constexpr const char* unix_time = "a Unix time from 0 to 1e11 s";
    a.start_unix_s = checked_seconds(file_, where, "start_unix_s", select.column_double(6), max_unix_seconds, unix_time);
    a.end_unix_s = checked_seconds(file_, where, "end_unix_s", select.column_double(7), max_unix_seconds, unix_time);
    constexpr const char* run_time = "from 0 to 1e9 s";
    if (const auto wall_s = select.column_optional_double(15)) {
      a.duration_s = checked_seconds(file_, where, "wall_s", *wall_s, max_run_seconds, run_time);
      if (const auto modeled_s = select.column_optional_double(16))
        a.modeled_s = checked_seconds(file_, where, "modeled_s", *modeled_s, max_run_seconds, run_time);
      if (!select.column_is_null(17)) a.predicted_from_history = prediction_source(file_, where, select.column_text(17));
      if (!select.column_is_null(18)) a.worker_slots = checked_slots(file_, where, select.column_int(18));
    } else {
      // A row from before schema 3: its duration_s is the measured seconds
      // (modeled when emulated), and whether it was emulated, where the
      // prediction came from and the worker's slots were not recorded.
      a.duration_s = checked_seconds(file_, where, "duration_s", select.column_double(8), max_run_seconds, run_time);
      a.predicted_from_known = false;
    }
    if (const auto predicted_s = select.column_optional_double(9))
      a.predicted_s = checked_seconds(file_, where, "predicted_s", *predicted_s, max_run_seconds, run_time);
    const auto metrics = nlohmann::json::parse(select.column_text(10), nullptr, false);
    if (metrics.is_object())
      for (const auto& [name, value] : metrics.items())
        if (value.is_number()) a.metrics[name] = value.get<double>();
    a.model = select.column_text(11);
    a.type = parse_task_type(select.column_text(12)).value_or(task_type::custom);
    a.batch_size = static_cast<int>(select.column_int(13));
    a.error = select.column_text(14);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<journal_run> sqlite_journal::runs() {
  flush();
  std::lock_guard lock{db_mutex_};
  sqlite::statement select(connection(),
                           "SELECT id, suite, started_unix_s, finished_unix_s, status FROM runs ORDER BY id DESC");
  std::vector<journal_run> out;
  while (select.step())
    out.push_back({select.column_int(0), select.column_text(1), select.column_double(2),
                   select.column_optional_double(3), select.column_text(4)});
  return out;
}

std::optional<journal_run> sqlite_journal::latest_unfinished_run() {
  for (auto& run : runs())
    if (run.status == "running") return std::move(run);
  return std::nullopt;
}

history_rows_skipped sqlite_journal::skipped_history_rows() {
  flush();
  std::lock_guard lock{db_mutex_};
  return history_ranges::count_skipped(connection());
}

std::uint64_t sqlite_journal::history_size() {
  flush();
  std::lock_guard lock{db_mutex_};
  sqlite::statement count(connection(), "SELECT count(*) FROM history");
  count.step();
  return static_cast<std::uint64_t>(count.column_int(0));
}

std::string skipped_text(const history_rows_skipped& skipped) {
  if (skipped.count == 0) return {};
  return std::to_string(skipped.count) + " history row" + (skipped.count == 1 ? "" : "s") +
         " out of range, not learned from (the oldest: row " + std::to_string(skipped.first_id) + ", field '" +
         skipped.first_field + "' must be " + skipped.first_allowed + ")";
}

} // namespace dtf
