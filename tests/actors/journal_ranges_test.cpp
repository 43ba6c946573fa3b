// Numbers out of range in a journal edited or damaged outside dtf: history
// rows are skipped (not learned from) and counted naming the oldest row and
// field; a run's attempts are an error naming the attempt and field.
#include "actors/journal/sqlite_journal.hpp"
#include "journal_edit.hpp"
#include "journal_temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dtf {
namespace {

using testing::edit_journal;
using testing::journal_temp_dir;

worker_capability t4() {
  worker_capability w;
  w.id = "cuda-0";
  w.kind = device_kind::cuda;
  w.name = "Tesla T4";
  return w;
}

attempt_record succeeded(const std::string& task_id, double duration_s) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = "cuda-0";
  a.status = task_status::succeeded;
  a.attempt = 1;
  a.start_unix_s = 1700000000.0;
  a.end_unix_s = a.start_unix_s + duration_s;
  a.duration_s = duration_s;
  a.predicted_s = 10.0;
  a.model = "resnet50";
  a.type = task_type::benchmark;
  a.batch_size = 32;
  return a;
}

// Five results on a T4, 1 s to 5 s (history rows 1 to 5); closed, so the file can be edited.
std::int64_t write_five(const std::filesystem::path& file) {
  sqlite_journal journal{file};
  const auto run = journal.begin_run("s");
  for (int i = 1; i <= 5; ++i) journal.record_result(ran_on(succeeded("t" + std::to_string(i), i), t4()));
  journal.finish_run(run);
  return run;
}

TEST(journal_ranges, history_rows_out_of_range_are_not_learned_from_and_are_counted) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  write_five(file);
  edit_journal(file, "UPDATE history SET duration_s = 1e308 WHERE id = 2;"
                     "UPDATE history SET speed = 'fast' WHERE id = 3;"
                     "UPDATE history SET predicted_s = -1 WHERE id = 4;");
  sqlite_journal journal{file};
  const auto rows = journal.load_history();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].duration_s, 1.0);
  EXPECT_DOUBLE_EQ(rows[1].duration_s, 5.0);
  const auto skipped = journal.skipped_history_rows();
  EXPECT_EQ(skipped.count, 3u);
  EXPECT_EQ(skipped.first_id, 2);
  EXPECT_EQ(skipped.first_field, "duration_s");
  EXPECT_EQ(skipped_text(skipped),
            "3 history rows out of range, not learned from (the oldest: row 2, field 'duration_s' must be from 0 to "
            "1e9 s)");
  // The rows stay in the file; the summary's means leave them out too.
  EXPECT_EQ(journal.history_size(), 5u);
  const auto s = journal.summary();
  EXPECT_EQ(s.skipped_history.count, 3u);
  ASSERT_EQ(s.by_model_device.size(), 1u);
  EXPECT_EQ(s.by_model_device[0].runs, 2u);
  EXPECT_DOUBLE_EQ(s.by_model_device[0].mean_duration_s, 3.0);
  EXPECT_EQ(s.predictions.from_history, 2u);
}

TEST(journal_ranges, a_limit_counts_only_rows_in_range) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  write_five(file);
  edit_journal(file, "UPDATE history SET timestamp_unix_s = -5 WHERE id = 5;");
  sqlite_journal journal{file};
  const auto rows = journal.load_history(2);  // the newest two in range: rows 3 and 4
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].duration_s, 3.0);
  EXPECT_DOUBLE_EQ(rows[1].duration_s, 4.0);
  EXPECT_EQ(journal.skipped_history_rows().first_field, "timestamp_unix_s");
  EXPECT_TRUE(skipped_text(history_rows_skipped{}).empty());
}

TEST(journal_ranges, an_attempt_time_out_of_range_is_an_error_naming_the_attempt_and_field) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  const auto run = write_five(file);
  edit_journal(file, "UPDATE attempts SET end_unix_s = 1e308 WHERE task_id = 't3';");
  sqlite_journal journal{file};
  try {
    journal.attempts(run);
    FAIL() << "expected a journal_error";
  } catch (const journal_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("j.sqlite"), std::string::npos) << what;
    EXPECT_NE(what.find("task 't3' attempt 1: field 'end_unix_s' must be a Unix time from 0 to 1e11 s, got 1e+308"),
              std::string::npos)
        << what;
  }
}

} // namespace
} // namespace dtf
