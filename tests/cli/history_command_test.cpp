// `dtf history`, run as the real binary on journals written by sqlite_journal.
#include "actors/journal/sqlite_journal.hpp"
#include "tests/actors/journal_edit.hpp"
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace dtf {
namespace {

std::filesystem::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / ("dtf-history-" + std::to_string(::getpid()) + "-" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

worker_capability t4() {
  worker_capability w;
  w.id = "cuda-0";
  w.kind = device_kind::cuda;
  w.name = "Tesla T4";
  return w;
}

attempt_record succeeded(const std::string& task_id, double duration_s, double predicted_s) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = "cuda-0";
  a.status = task_status::succeeded;
  a.exit_code = 0;
  a.end_unix_s = 1700000000.0;
  a.duration_s = duration_s;
  a.predicted_s = predicted_s;
  a.model = "resnet50";
  a.type = task_type::benchmark;
  a.batch_size = 32;
  return a;
}

// A journal of one finished run: two resnet50 results on a T4 (10 s and 30 s,
// both predicted 15 s) and one task still pending.
std::filesystem::path write_journal(const std::filesystem::path& dir) {
  const auto file = dir / "journal.sqlite";
  sqlite_journal journal{file};
  const auto run = journal.begin_run("nightly");
  journal.record_worker(t4());
  for (const char* id : {"a", "b", "c"}) {
    task t;
    t.id = id;
    journal.record_task_submitted(t);
  }
  journal.record_result(ran_on(succeeded("a", 10.0, 15.0), t4()));
  journal.record_result(ran_on(succeeded("b", 30.0, 15.0), t4()));
  journal.record_state("a", task_status::succeeded);
  journal.record_state("b", task_status::succeeded);
  journal.finish_run(run);
  return file;
}

TEST(history_command, prints_runs_tasks_means_and_accuracy_as_json) {
  const auto dir = temp_dir();
  const auto file = write_journal(dir);
  const auto result = testing::run_dtf({"history", "--journal", file.string(), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["journal"], file.string());
  ASSERT_EQ(json["runs"].size(), 1u);
  EXPECT_EQ(json["runs"][0]["suite"], "nightly");
  EXPECT_EQ(json["runs"][0]["status"], "finished");
  EXPECT_EQ(json["tasks_by_status"]["succeeded"], 2);
  EXPECT_EQ(json["tasks_by_status"]["pending"], 1);
  ASSERT_EQ(json["by_model_device"].size(), 1u);
  EXPECT_EQ(json["by_model_device"][0]["model"], "resnet50");
  EXPECT_EQ(json["by_model_device"][0]["device"], "Tesla T4");
  EXPECT_EQ(json["by_model_device"][0]["clock"], "wall");
  EXPECT_DOUBLE_EQ(json["by_model_device"][0]["mean_duration_s"].get<double>(), 20.0);
  EXPECT_EQ(json["predictions"]["from_history"], 2);
  EXPECT_DOUBLE_EQ(json["predictions"]["mean_abs_error_s"].get<double>(), 10.0);
  EXPECT_TRUE(json["predictions"]["rank_correlation"].is_null());  // two compared: too few to rank
  std::filesystem::remove_all(dir);
}

TEST(history_command, text_from_a_hostile_journal_is_escaped_and_still_valid_json) {
  // Anything may have written the journal file: control characters and bytes that are not UTF-8.
  const auto dir = temp_dir();
  const auto file = dir / "journal.sqlite";
  {
    sqlite_journal journal{file};
    const auto run = journal.begin_run("night\x1b[31mly\xff");
    worker_capability w = t4();
    w.name = "Tesla\xc0\x80T4";
    journal.record_worker(w);
    attempt_record a = succeeded("a\xed\xa0\x80", 10.0, 15.0);
    a.model = "res\x07net\xfe";
    journal.record_result(ran_on(a, w));
    journal.finish_run(run);
  }
  const auto json = testing::run_dtf({"history", "--journal", file.string(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["runs"][0]["suite"], "night\x1b[31mly\xef\xbf\xbd");  // U+FFFD
  const auto text = testing::run_dtf({"history", "--journal", file.string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("night\\x1b[31mly\\xff"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("res\\x07net\\xfe"), std::string::npos) << text.out;
  for (const char c : text.out) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << text.out;
  std::filesystem::remove_all(dir);
}

TEST(history_command, prints_a_readable_summary) {
  const auto dir = temp_dir();
  const auto file = write_journal(dir);
  const auto result = testing::run_dtf({"history", "--journal", file.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("nightly"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("succeeded 2"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("resnet50"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Tesla T4"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("20.000"), std::string::npos) << result.out;  // mean seconds
  std::filesystem::remove_all(dir);
}

TEST(history_command, modeled_and_wall_seconds_of_one_model_and_device_are_averaged_apart) {
  // An emulated "Tesla T4" beside the real one: before, one row averaged 100
  // modeled s with 10 and 30 wall s (46.667).
  const auto dir = temp_dir();
  const auto file = write_journal(dir);
  {
    sqlite_journal journal{file};
    const auto run = journal.begin_run("emulated");
    worker_capability emulated = t4();
    emulated.id = "cuda-emulated";
    emulated.emulated = true;
    journal.record_worker(emulated);
    attempt_record a = succeeded("m", 2.0, 90.0);
    a.modeled_s = 100.0;
    journal.record_result(ran_on(a, emulated));
    journal.finish_run(run);
  }
  const auto json = testing::run_dtf({"history", "--journal", file.string(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto rows = nlohmann::json::parse(json.out)["by_model_device"];
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  EXPECT_EQ(rows[0]["clock"], "modeled");
  EXPECT_EQ(rows[0]["attempts"], 1);
  EXPECT_DOUBLE_EQ(rows[0]["mean_duration_s"].get<double>(), 100.0);
  EXPECT_EQ(rows[1]["clock"], "wall");
  EXPECT_EQ(rows[1]["attempts"], 2);
  EXPECT_DOUBLE_EQ(rows[1]["mean_duration_s"].get<double>(), 20.0);
  const auto text = testing::run_dtf({"history", "--journal", file.string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("CLOCK"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("modeled"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("100.000"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("20.000"), std::string::npos) << text.out;
  std::filesystem::remove_all(dir);
}

TEST(history_command, numbers_out_of_range_are_left_out_and_named) {
  // A journal edited outside dtf: a 1e308 s duration (before: a 300-digit
  // mean) and a run started at 1e308 (before: an undefined time_t conversion).
  const auto dir = temp_dir();
  const auto file = write_journal(dir);
  testing::edit_journal(file, "UPDATE history SET duration_s = 1e308 WHERE task_id = 'a';"
                              "UPDATE runs SET started_unix_s = 1e308;");
  const auto text = testing::run_dtf({"history", "--journal", file.string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("(time out of range) UTC"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("warning: 1 history row out of range, not learned from (the oldest: row 1, field "
                          "'duration_s' must be from 0 to 1e9 s)"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("30.000"), std::string::npos) << text.out;  // b's 30 s alone
  const auto json = testing::run_dtf({"history", "--journal", file.string(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["history_rows"], 2);
  EXPECT_EQ(parsed["history_rows_out_of_range"], 1);
  EXPECT_DOUBLE_EQ(parsed["by_model_device"][0]["mean_duration_s"].get<double>(), 30.0);
  std::filesystem::remove_all(dir);
}

TEST(history_command, a_journal_of_an_older_dtf_is_migrated_and_read) {
  // Before: exit 2, "has schema version 2; open it read-write to migrate", until a dtf run touched it.
  const auto dir = temp_dir();
  const auto file = write_journal(dir);
  testing::edit_journal(file, "ALTER TABLE attempts DROP COLUMN wall_s; ALTER TABLE attempts DROP COLUMN modeled_s; "
                              "ALTER TABLE attempts DROP COLUMN predicted_from; "
                              "ALTER TABLE attempts DROP COLUMN worker_slots; ALTER TABLE history DROP COLUMN clock; "
                              "UPDATE schema_version SET version = 2;");
  const auto result = testing::run_dtf({"history", "--journal", file.string(), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(result.out)["by_model_device"][0]["mean_duration_s"].get<double>(), 20.0);
  journal_options read_only;
  read_only.read_only = true;
  EXPECT_NO_THROW(sqlite_journal(file, read_only)) << "migrated: a reader opens it as it is now";
  std::filesystem::remove_all(dir);
}

TEST(history_command, finds_the_journal_through_DTF_JOURNAL) {
  const auto dir = temp_dir();
  const auto file = write_journal(dir);
  ::setenv("DTF_JOURNAL", file.c_str(), 1);
  const auto result = testing::run_dtf({"history", "--json"});
  ::unsetenv("DTF_JOURNAL");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["journal"], file.string());
  std::filesystem::remove_all(dir);
}

TEST(history_command, without_any_journal_says_so_and_creates_nothing) {
  const auto dir = temp_dir();
  ::setenv("XDG_STATE_HOME", dir.c_str(), 1);
  ::unsetenv("DTF_JOURNAL");
  const auto result = testing::run_dtf({"history"});
  ::unsetenv("XDG_STATE_HOME");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find((dir / "dtf" / "journal.sqlite").string()), std::string::npos) << result.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "dtf"));
  std::filesystem::remove_all(dir);
}

TEST(history_command, a_corrupt_journal_exits_2_with_one_line_naming_it) {
  const auto dir = temp_dir();
  const auto file = dir / "broken.sqlite";
  std::ofstream{file} << std::string(4096, 'x');
  const auto result = testing::run_dtf({"history", "--journal", file.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(file.string()), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  std::filesystem::remove_all(dir);
}

TEST(history_command, a_missing_explicit_journal_exits_2) {
  const auto dir = temp_dir();
  const auto result = testing::run_dtf({"history", "--journal", (dir / "none.sqlite").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("does not exist"), std::string::npos) << result.err;
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace dtf
