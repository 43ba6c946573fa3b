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

#include <optional>
#include <string>
#include <utility>

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
// What schema 3 added, and schema 4's history clock.
const std::string drop_history_clock = "ALTER TABLE history DROP COLUMN clock; ";
const std::string drop_attempt_fields =
    "ALTER TABLE attempts DROP COLUMN wall_s; ALTER TABLE attempts DROP COLUMN modeled_s; "
    "ALTER TABLE attempts DROP COLUMN predicted_from; ALTER TABLE attempts DROP COLUMN worker_slots; " +
    drop_history_clock;

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

/// A successful attempt of `task_id` on `worker`: `duration_s` wall seconds,
/// `modeled_s` the model's when emulated.
attempt_record succeeded_on(const worker_capability& worker, std::string task_id, double duration_s,
                            std::optional<double> modeled_s = std::nullopt) {
  auto a = attempt_record_for(task{}, worker, 1);
  a.task_id = std::move(task_id);
  a.status = task_status::succeeded;
  a.duration_s = duration_s;
  a.modeled_s = modeled_s;
  return a;
}

// Schema 4 records each history row's clock, so that learning keeps an
// emulated worker's modeled seconds apart from a real one's wall seconds; a
// version 3 file's rows take it from their worker's capability.
TEST(journal_schema, a_version_3_journal_learns_each_history_row_in_its_workers_clock) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  auto emulated = cpu_worker();
  emulated.id = "gpu-0";
  emulated.kind = device_kind::cuda;
  emulated.emulated = true;
  {
    sqlite_journal journal{file};
    journal.begin_run("old");
    journal.record_worker(cpu_worker());
    journal.record_worker(emulated);
    journal.record_result(succeeded_on(cpu_worker(), "real", 0.2));
    journal.record_result(succeeded_on(emulated, "modeled", 1.8, 90.0));
    const auto rows = journal.load_history();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_FALSE(learning_worker(rows[0]).emulated);
    EXPECT_TRUE(learning_worker(rows[1]).emulated);
    EXPECT_EQ(rows[1].measured_s(), 90.0);
  }
  edit(file, drop_history_clock + "UPDATE schema_version SET version = 3;");
  ASSERT_EQ(version_of(file), 3);

  sqlite_journal journal{file};
  EXPECT_EQ(version_of(file), journal_schema_version);
  const auto rows = journal.load_history();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].task_id, "real");
  EXPECT_FALSE(learning_worker(rows[0]).emulated) << "its worker is real: wall seconds";
  EXPECT_EQ(rows[0].measured_s(), 0.2);
  EXPECT_TRUE(learning_worker(rows[1]).emulated) << "its worker is emulated: modeled seconds";
  EXPECT_EQ(rows[1].measured_s(), 90.0);
}

// A version 3 file's attempt says the clock its row was measured in (wall_s
// written, modeled_s set when emulated); the worker's capability is only its
// latest registration: before, a worker id emulated then and real now made an
// emulated row's modeled seconds wall seconds.
TEST(journal_schema, a_version_3_history_row_takes_its_clock_from_its_own_attempt_first) {
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  auto emulated = cpu_worker();
  emulated.emulated = true;
  {
    sqlite_journal journal{file};
    journal.begin_run("old");
    journal.record_worker(emulated);
    journal.record_result(succeeded_on(emulated, "modeled", 1.8, 90.0));
    journal.record_worker(cpu_worker());  // the same id, real now
  }
  edit(file, drop_history_clock + "UPDATE schema_version SET version = 3;");

  sqlite_journal journal{file};
  const auto rows = journal.load_history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(learning_worker(rows[0]).emulated) << "its attempt was emulated: modeled seconds";
  EXPECT_EQ(rows[0].measured_s(), 90.0);
}

// Schema 5 journals attempts 'running' (from their placement) and 'lost' (with
// their worker): a dtf of schema 4 knows neither status, so a file that may
// hold them must be newer than it (before: it opened the file and failed on
// "unknown status 'lost'"); this dtf still reads a version 4 file.
TEST(journal_schema, a_journal_that_may_hold_lost_attempts_is_newer_than_schema_4_which_is_still_read) {
  constexpr int last_version_without_lost_attempts = 4;
  journal_temp_dir dir;
  const auto file = dir / "j.sqlite";
  std::int64_t run = 0;
  {
    sqlite_journal journal{file};
    run = journal.begin_run("old");
    journal.record_worker(cpu_worker());
    auto lost = succeeded_on(cpu_worker(), "gone", 2.0);
    lost.status = task_status::lost;
    journal.record_attempt(lost);
    journal.record_result(succeeded_on(cpu_worker(), "done", 1.0));
  }
  EXPECT_GT(version_of(file), last_version_without_lost_attempts) << "a dtf of schema 4 would read it";

  edit(file, "UPDATE schema_version SET version = 4;");
  sqlite_journal journal{file};
  EXPECT_EQ(version_of(file), journal_schema_version);
  const auto attempts = journal.attempts(run);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].task_id, "gone");
  EXPECT_EQ(attempts[0].status, task_status::lost);
  EXPECT_EQ(attempts[1].status, task_status::succeeded);
  EXPECT_EQ(journal.load_history().size(), 1u);
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
