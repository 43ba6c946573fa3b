// The journal's schema version: older files are migrated on open, files from
// a newer dtf and SQLite files that are not journals are refused by name.
// The files are edited with the sqlite3 C API, as another program would.
#include "actors/journal/sqlite_journal.hpp"
#include "actors/output/results_jsonl_reader.hpp"
#include "actors/output/results_jsonl_writer.hpp"
#include "journal_edit.hpp"
#include "journal_temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace dtf {
namespace {

using testing::journal_temp_dir;

void edit(const std::filesystem::path& file, const std::string& sql) { testing::edit_journal(file, sql); }

int version_of(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_stmt* select = nullptr;
  sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &select, nullptr);
  const int version = sqlite3_step(select) == SQLITE_ROW ? sqlite3_column_int(select, 0) : -1;
  sqlite3_finalize(select);
  sqlite3_close(db);
  return version;
}

worker_capability cpu_worker() {
  worker_capability w;
  w.id = "cpu-0";
  w.name = "AMD EPYC";
  return w;
}

// The attempts' columns schema 3 added.
const std::string drop_attempt_fields =
    "ALTER TABLE attempts DROP COLUMN wall_s; ALTER TABLE attempts DROP COLUMN modeled_s; "
    "ALTER TABLE attempts DROP COLUMN predicted_from; ALTER TABLE attempts DROP COLUMN worker_slots; ";

std::string open_error(const std::filesystem::path& file, journal_options options = {}) {
  try {
    sqlite_journal journal{file, options};
  } catch (const journal_error& e) {
    return e.what();
  }
  return "";
}

TEST(journal_schema, a_new_journal_has_the_current_version) {
  journal_temp_dir dir;
  { sqlite_journal journal{dir / "j.sqlite"}; }
  EXPECT_EQ(version_of(dir / "j.sqlite"), journal_schema_version);
}

TEST(journal_schema, a_version_1_journal_is_migrated_and_keeps_its_data) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  {
    sqlite_journal journal{file};
    journal.begin_run("old");
    journal.record_worker(cpu_worker());
  }
  // What dtf with schema 1 wrote: no lost_unix_s column yet.
  edit(file, drop_attempt_fields + "ALTER TABLE workers DROP COLUMN lost_unix_s; UPDATE schema_version SET version = 1;");
  ASSERT_EQ(version_of(file), 1);

  journal_options read_only;
  read_only.read_only = true;
  EXPECT_NE(open_error(file, read_only).find("open it read-write to migrate"), std::string::npos);

  sqlite_journal journal{file};
  EXPECT_EQ(version_of(file), journal_schema_version);
  journal.record_worker_lost("cpu-0");
  const auto summary = journal.summary();
  EXPECT_EQ(summary.runs.size(), 1u);
  EXPECT_EQ(summary.workers, 1u);
  EXPECT_EQ(summary.workers_lost, 1u);
  journal.record_worker(cpu_worker());  // registered again
  EXPECT_EQ(journal.summary().workers_lost, 0u);
}

TEST(journal_schema, a_version_2_journal_is_migrated_and_its_attempts_say_only_what_it_recorded) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  std::int64_t run = 0;
  {
    sqlite_journal journal{file};
    run = journal.begin_run("old");
    journal.record_result(ran_on(parse_results_json_line(R"({"task":"t","status":"succeeded","duration_s":1.5,)"
                                                         R"("modeled_s":30.0,"predicted_s":40.0,)"
                                                         R"("predicted_from":"default","worker_slots":2})",
                                                         "first-run.jsonl", 1),
                                 cpu_worker()));
  }
  // What dtf with schema 2 wrote: duration_s the measured (modeled) seconds, nothing else of these.
  edit(file, drop_attempt_fields + "UPDATE schema_version SET version = 2;");
  ASSERT_EQ(version_of(file), 2);

  sqlite_journal journal{file};
  EXPECT_EQ(version_of(file), journal_schema_version);
  const auto attempts = journal.attempts(run);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].duration_s, 30.0);
  EXPECT_FALSE(attempts[0].modeled_s.has_value()) << "not known: left out, not invented";
  EXPECT_EQ(attempts[0].predicted_s, 40.0);
  EXPECT_FALSE(attempts[0].predicted_from_known);
  EXPECT_EQ(attempts[0].worker_slots, 0);
  EXPECT_EQ(results_jsonl_writer::to_json_line(attempts[0]).find("predicted_from"), std::string::npos);
}

TEST(journal_schema, a_journal_from_a_newer_dtf_is_refused_by_name) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  { sqlite_journal journal{file}; }
  edit(file, "UPDATE schema_version SET version = 99;");
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
}

TEST(journal_schema, an_sqlite_database_of_another_program_is_refused_and_left_alone) {
  journal_temp_dir dir;
  const auto file = dir / "other.sqlite";
  edit(file, "CREATE TABLE tasks (id TEXT PRIMARY KEY); INSERT INTO tasks VALUES ('x');");
  const auto message = open_error(file);
  EXPECT_NE(message.find("not a dtf journal"), std::string::npos) << message;
  EXPECT_EQ(version_of(file), -1);  // no schema_version table was added
}

} // namespace
} // namespace dtf
