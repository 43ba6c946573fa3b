// sqlite_journal::summary: what `dtf history` prints, in a few aggregate queries.
#include "actors/journal/history_row_ranges.hpp"
#include "actors/journal/sqlite_connection.hpp"
#include "actors/journal/sqlite_journal.hpp"

namespace dtf {

journal_summary sqlite_journal::summary() {
  journal_summary out;
  out.runs = runs();
  std::lock_guard lock{db_mutex_};
  auto& db = connection();
  auto count_of = [&db](const char* sql) {
    sqlite::statement count(db, sql);
    count.step();
    return static_cast<std::uint64_t>(count.column_int(0));
  };
  out.attempts = count_of("SELECT count(*) FROM attempts");
  out.workers = count_of("SELECT count(*) FROM workers");
  out.workers_lost = count_of("SELECT count(*) FROM workers WHERE lost_unix_s IS NOT NULL");
  out.history_rows = count_of("SELECT count(*) FROM history");
  out.skipped_history = history_ranges::count_skipped(db);
  const auto& in_range = history_ranges::in_range_sql();

  sqlite::statement by_status(db, "SELECT status, count(*) FROM tasks GROUP BY status ORDER BY status");
  while (by_status.step())
    out.tasks_by_status.push_back({by_status.column_text(0), static_cast<std::uint64_t>(by_status.column_int(1))});

  // Modeled and wall seconds are never averaged together; a row that does not
  // say its clock is wall, as learning reads it.
  sqlite::statement by_model(db,
      "SELECT model, device_name, device_kind, run_clock, count(*), sum(status = 'succeeded'), "
      "coalesce(avg(CASE WHEN status = 'succeeded' THEN duration_s END), 0) "
      "FROM (SELECT *, CASE clock WHEN 'modeled' THEN 'modeled' ELSE 'wall' END AS run_clock FROM history WHERE " +
      in_range + ") GROUP BY model, device_name, device_kind, run_clock "
      "ORDER BY model, device_name, device_kind, run_clock");
  while (by_model.step())
    out.by_model_device.push_back({by_model.column_text(0), by_model.column_text(1), by_model.column_text(2),
                                   by_model.column_text(3), static_cast<std::uint64_t>(by_model.column_int(4)),
                                   static_cast<std::uint64_t>(by_model.column_int(5)), by_model.column_double(6)});

  // The journal keeps predicted_s only for predictions made from history.
  sqlite::statement accuracy(db, "SELECT predicted_s, duration_s FROM history WHERE status = 'succeeded' AND " + in_range);
  prediction_error errors;
  while (accuracy.step()) {
    const auto predicted_s = accuracy.column_optional_double(0);
    if (predicted_s) errors.record(*predicted_s, accuracy.column_double(1), true);
    else errors.record_default();
  }
  out.predictions = errors.summary();
  return out;
}

} // namespace dtf
