#pragma once
// Which history rows the journal learns from: the numbers dtf itself writes
// are in range; a file edited or damaged outside dtf may hold anything (a
// duration of 1e308 s made `dtf history` print a 300-digit mean). Rows out of
// range stay in the file, are not learned from, and are counted.
#include "actors/journal/journal_records.hpp"

#include <string>

namespace dtf::sqlite {
class connection;
}

namespace dtf::history_ranges {

/// SQL true for a history row every number of which is in range (NULL, text
/// or blob where a number belongs counts as out of range).
const std::string& in_range_sql();

/// How many history rows are out of range, and the oldest one's id and field.
history_rows_skipped count_skipped(sqlite::connection& db);

} // namespace dtf::history_ranges
