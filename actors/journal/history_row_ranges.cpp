#include "actors/journal/history_row_ranges.hpp"

#include "actors/journal/sqlite_connection.hpp"
#include "scheduler/input/input_limits.hpp"

#include <cstdio>
#include <iterator>

namespace dtf::history_ranges {
namespace {

/// One column's allowed values, as SQL and in words.
struct column_range {
  std::string column;
  std::string allowed_sql;
  std::string allowed_text;
};

std::string sql_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string between(const std::string& column, double low, double high) {
  return column + " BETWEEN " + sql_number(low) + " AND " + sql_number(high);
}

/// The history table's numbers, in the order a row's first bad one is named.
const column_range columns[] = {
    {"duration_s", between("duration_s", 0.0, max_run_seconds), "from 0 to 1e9 s"},
    {"predicted_s", "predicted_s IS NULL OR " + between("predicted_s", 0.0, max_run_seconds), "empty or from 0 to 1e9 s"},
    {"speed", between("speed", min_worker_speed, max_worker_speed), "from 0.001 to 1000"},
    {"timestamp_unix_s", between("timestamp_unix_s", 0.0, max_unix_seconds), "a Unix time from 0 to 1e11 s"},
    {"batch_size", between("batch_size", 0.0, 1 << 30), "from 0 to 1073741824"},
};

std::string make_in_range_sql() {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : " AND ") + ("coalesce(" + c.allowed_sql + ", 0)");
  return "(" + out + ")";
}

/// SQL giving a row's first column out of range, as its index in `columns`.
std::string first_bad_column_sql() {
  std::string out = "CASE";
  for (std::size_t i = 0; i < std::size(columns); ++i)
    out += " WHEN NOT coalesce(" + columns[i].allowed_sql + ", 0) THEN " + std::to_string(i);
  return out + " ELSE -1 END";
}

} // namespace

const std::string& in_range_sql() {
  static const std::string sql = make_in_range_sql();
  return sql;
}

history_rows_skipped count_skipped(sqlite::connection& db) {
  history_rows_skipped out;
  sqlite::statement count(db, "SELECT count(*) FROM history WHERE NOT " + in_range_sql());
  count.step();
  out.count = static_cast<std::uint64_t>(count.column_int(0));
  if (out.count == 0) return out;
  sqlite::statement first(db, "SELECT id, " + first_bad_column_sql() + " FROM history WHERE NOT " + in_range_sql() +
                                   " ORDER BY id LIMIT 1");
  if (!first.step()) return out;
  out.first_id = first.column_int(0);
  const auto index = first.column_int(1);
  if (index >= 0 && static_cast<std::size_t>(index) < std::size(columns)) {
    out.first_field = columns[index].column;
    out.first_allowed = columns[index].allowed_text;
  }
  return out;
}

} // namespace dtf::history_ranges
