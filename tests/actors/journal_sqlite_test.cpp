// The SQLite journal on real files: what goes in comes back, after reopening
// too; recovery returns exactly the unfinished tasks; bad files give errors
// naming the file; history stays bounded.
#include "actors/journal/sqlite_journal.hpp"
#include "actors/journal/task_json.hpp"
#include "journal_temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace dtf {
namespace {

using testing::journal_temp_dir;

task sample_task(const std::string& id) {
  task t;
  t.id = id;
  t.type = task_type::benchmark;
  t.priority = 2;
  t.model = "bert-base-uncased";
  t.batch_size = 8;
  t.requirements.hardware = {device_kind::cuda, device_kind::rocm};
  t.requirements.min_memory_gb = 6;
  t.requirements.min_cuda_compute = 8.0;
  t.requirements.gfx_arch = {"gfx908"};
  t.requirements.device = "A100";
  t.requirements.require_device = {"T4", "V100"};
  t.requirements.labels = {"nvlink"};
  t.requirements.min_cores = 4;
  t.command = {"python3", "bench.py", "--model", "bert-base-uncased"};
  t.env = {{"HF_HOME", "/cache"}};
  t.working_directory = "/tmp";
  t.timeout_s = 600;
  t.retries = 2;
  t.sequence = 7;
  t.origin = "suite.yaml:12";
  return t;
}

worker_capability a100() {
  worker_capability w;
  w.id = "worker-cuda-0";
  w.kind = device_kind::cuda;
  w.name = "NVIDIA A100-SXM4-40GB";
  w.memory_bytes = 40ull << 30;
  w.compute_capability = 8.0;
  w.speed = 1.5;
  return w;
}

attempt_record finished_attempt(const std::string& task_id, int attempt, task_status status, double duration_s) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = "worker-cuda-0";
  a.status = status;
  a.exit_code = status == task_status::succeeded ? 0 : 1;
  a.attempt = attempt;
  a.start_unix_s = 1000.0 + attempt;
  a.end_unix_s = a.start_unix_s + duration_s;
  a.duration_s = duration_s;
  a.predicted_s = 30.0;
  a.metrics = {{"throughput", 12.5}};
  a.model = "bert-base-uncased";
  a.type = task_type::benchmark;
  a.batch_size = 8;
  a.error = status == task_status::succeeded ? "" : "exit code 1";
  return a;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
}

TEST(task_json, round_trips_every_field_of_a_task) {
  const auto t = sample_task("t1");
  const auto back = task_from_json(task_to_json(t));
  EXPECT_EQ(task_to_json(back), task_to_json(t));
  EXPECT_EQ(back.requirements.min_cuda_compute, 8.0);
  EXPECT_EQ(back.requirements.device, "A100");
  EXPECT_EQ(back.env.at("HF_HOME"), "/cache");
  EXPECT_EQ(back.sequence, 7u);
}

TEST(task_json, names_the_field_that_is_wrong) {
  EXPECT_THROW(task_from_json("[1,2]"), std::runtime_error);
  try {
    task_from_json(R"({"id":"x","type":"nightly"})");
    FAIL() << "accepted an unknown type";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("'type'"), std::string::npos) << e.what();
  }
}

TEST(sqlite_journal, creates_the_file_and_its_directories_in_wal_mode) {
  journal_temp_dir dir;
  const auto file = dir / "state/dtf/journal.sqlite";
  sqlite_journal journal{file};
  journal.begin_run("nightly");
  journal.record_task_submitted(sample_task("t1"));
  journal.flush();
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_TRUE(std::filesystem::exists(file.string() + "-wal"));  // write-ahead log, not a rollback journal
}

TEST(sqlite_journal, round_trips_tasks_attempts_and_history) {
  journal_temp_dir dir;
  sqlite_journal journal{dir / "j.sqlite"};
  const auto run = journal.begin_run("nightly");
  journal.record_worker(a100());
  journal.record_task_submitted(sample_task("t1"));
  journal.record_state("t1", task_status::running);
  journal.record_result(ran_on(finished_attempt("t1", 1, task_status::failed, 2.0), a100()));
  journal.record_result(ran_on(finished_attempt("t1", 2, task_status::succeeded, 31.0), a100()));
  journal.record_state("t1", task_status::succeeded);

  const auto tasks = journal.tasks(run);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(task_to_json(tasks[0].definition), task_to_json(sample_task("t1")));
  EXPECT_EQ(tasks[0].status, task_status::succeeded);
  EXPECT_EQ(tasks[0].attempts, 2);

  const auto attempts = journal.attempts(run);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].status, task_status::failed);
  EXPECT_EQ(attempts[0].error, "exit code 1");
  EXPECT_EQ(attempts[1].status, task_status::succeeded);
  EXPECT_DOUBLE_EQ(attempts[1].duration_s, 31.0);
  EXPECT_EQ(attempts[1].predicted_s, 30.0);
  EXPECT_EQ(attempts[1].metrics.at("throughput"), 12.5);
  EXPECT_EQ(attempts[1].worker_id, "worker-cuda-0");

  const auto history = journal.load_history();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].model, "bert-base-uncased");
  EXPECT_EQ(history[1].type, task_type::benchmark);
  EXPECT_EQ(history[1].batch_size, 8);
  EXPECT_EQ(history[1].device_name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(history[1].kind, device_kind::cuda);
  EXPECT_EQ(history[1].worker_id, "worker-cuda-0");
  EXPECT_DOUBLE_EQ(history[1].speed, 1.5);
  EXPECT_DOUBLE_EQ(history[1].duration_s, 31.0);
  EXPECT_EQ(history[1].predicted_s, 30.0);
  EXPECT_EQ(history[1].status, task_status::succeeded);
  EXPECT_DOUBLE_EQ(history[1].end_unix_s, 1002.0 + 31.0);
}

TEST(sqlite_journal, an_attempt_recorded_at_start_is_replaced_when_it_ends) {
  journal_temp_dir dir;
  sqlite_journal journal{dir / "j.sqlite"};
  const auto run = journal.begin_run("s");
  journal.record_task_submitted(sample_task("t1"));
  auto started = finished_attempt("t1", 1, task_status::running, 0.0);
  journal.record_attempt(started);
  journal.record_result(ran_on(finished_attempt("t1", 1, task_status::succeeded, 5.0), a100()));
  const auto attempts = journal.attempts(run);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].status, task_status::succeeded);
}

TEST(sqlite_journal, reopening_after_close_keeps_everything) {
  journal_temp_dir dir;
  std::int64_t run = 0;
  {
    sqlite_journal journal{dir / "j.sqlite"};
    run = journal.begin_run("nightly");
    for (int i = 0; i < 50; ++i) {
      journal.record_task_submitted(sample_task("t" + std::to_string(i)));
      journal.record_result(ran_on(finished_attempt("t" + std::to_string(i), 1, task_status::succeeded, i + 1.0), a100()));
      journal.record_state("t" + std::to_string(i), task_status::succeeded);
    }
    journal.finish_run(run);
  }  // no flush: closing commits what was queued
  sqlite_journal reopened{dir / "j.sqlite"};
  EXPECT_EQ(reopened.tasks(run).size(), 50u);
  EXPECT_EQ(reopened.attempts(run).size(), 50u);
  EXPECT_EQ(reopened.history_size(), 50u);
  const auto runs = reopened.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].suite, "nightly");
  EXPECT_EQ(runs[0].status, "finished");
  EXPECT_TRUE(runs[0].finished_unix_s.has_value());
  EXPECT_FALSE(reopened.latest_unfinished_run().has_value());
}

TEST(sqlite_journal, flushed_records_are_visible_to_another_reader_of_the_file) {
  journal_temp_dir dir;
  sqlite_journal writer{dir / "j.sqlite"};
  const auto run = writer.begin_run("s");
  writer.record_task_submitted(sample_task("t1"));
  writer.flush();  // what a coordinator does before acknowledging the submission
  journal_options read_only;
  read_only.read_only = true;
  sqlite_journal reader{dir / "j.sqlite", read_only};
  ASSERT_EQ(reader.tasks(run).size(), 1u);
  EXPECT_EQ(reader.tasks(run)[0].status, task_status::pending);
}

TEST(sqlite_journal, recover_unfinished_returns_exactly_the_accepted_tasks_without_a_final_status) {
  journal_temp_dir dir;
  std::int64_t run = 0;
  {
    sqlite_journal journal{dir / "j.sqlite"};
    run = journal.begin_run("nightly");
    for (const char* id : {"done", "pending", "failed-for-good", "running", "retrying", "cancelled", "timed-out"})
      journal.record_task_submitted(sample_task(id));
    journal.record_state("done", task_status::succeeded);
    journal.record_state("failed-for-good", task_status::failed);
    journal.record_state("running", task_status::running);
    journal.record_result(ran_on(finished_attempt("retrying", 1, task_status::failed, 1.0), a100()));
    journal.record_state("retrying", task_status::pending);  // failed once, will run again
    journal.record_state("cancelled", task_status::cancelled);
    journal.record_state("timed-out", task_status::timed_out);
    journal.flush();
    // dtf stops here without finish_run.
  }
  sqlite_journal restarted{dir / "j.sqlite"};
  const auto unfinished_run = restarted.latest_unfinished_run();
  ASSERT_TRUE(unfinished_run.has_value());
  EXPECT_EQ(unfinished_run->id, run);
  const auto recovered = restarted.recover_unfinished(run);
  std::vector<std::string> ids;
  for (const auto& t : recovered) ids.push_back(t.definition.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"pending", "running", "retrying"}));  // submission order
  EXPECT_EQ(recovered[2].attempts, 1);
  EXPECT_EQ(recovered[1].status, task_status::running);
  EXPECT_EQ(task_to_json(recovered[0].definition), task_to_json(sample_task("pending")));

  restarted.resume_run(run);
  restarted.record_state("pending", task_status::succeeded);
  EXPECT_EQ(restarted.recover_unfinished(run).size(), 2u);
}

TEST(sqlite_journal, a_file_of_garbage_gives_an_error_naming_the_file) {
  journal_temp_dir dir;
  const auto file = dir / "garbage.sqlite";
  std::string garbage(8192, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) % 251);
  write_text(file, garbage);
  try {
    sqlite_journal journal{file};
    FAIL() << "opened a file of garbage";
  } catch (const journal_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("not a database"), std::string::npos) << message;
    EXPECT_EQ(e.file(), file);
  }
  std::ifstream in{file, std::ios::binary};
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>{in}, {}), garbage);  // left as it was
}

TEST(sqlite_journal, a_text_file_gives_an_error_naming_the_file) {
  journal_temp_dir dir;
  const auto file = dir / "notes.txt";
  write_text(file, "this is not a journal\n");
  EXPECT_THROW(sqlite_journal{file}, journal_error);
}

TEST(sqlite_journal, a_parent_that_is_a_file_gives_an_error_naming_the_journal) {
  journal_temp_dir dir;
  write_text(dir / "plain", "x");
  const auto file = dir / "plain" / "journal.sqlite";
  try {
    sqlite_journal journal{file};
    FAIL() << "created a journal below a plain file";
  } catch (const journal_error& e) {
    EXPECT_NE(std::string{e.what()}.find(file.string()), std::string::npos) << e.what();
  }
}

TEST(sqlite_journal, a_read_only_directory_gives_an_error_naming_the_file) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  journal_temp_dir dir;
  std::filesystem::create_directories(dir / "ro");
  std::filesystem::permissions(dir / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  const auto file = dir / "ro" / "journal.sqlite";
  try {
    sqlite_journal journal{file};
    FAIL() << "created a journal in a read-only directory";
  } catch (const journal_error& e) {
    EXPECT_NE(std::string{e.what()}.find(file.string()), std::string::npos) << e.what();
  }
}

TEST(sqlite_journal, read_only_mode_refuses_a_missing_file_and_creates_nothing) {
  journal_temp_dir dir;
  journal_options options;
  options.read_only = true;
  EXPECT_THROW(sqlite_journal(dir / "missing.sqlite", options), journal_error);
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.sqlite"));
}

TEST(sqlite_journal, recording_before_a_run_is_begun_is_an_error) {
  journal_temp_dir dir;
  sqlite_journal journal{dir / "j.sqlite"};
  EXPECT_THROW(journal.record_task_submitted(sample_task("t")), journal_error);
  EXPECT_THROW(journal.resume_run(42), journal_error);
}

TEST(sqlite_journal, pruning_keeps_the_newest_attempt_records) {
  journal_temp_dir dir;
  journal_options options;
  options.history_limit = 10;
  options.batch_rows = 4;  // several batches, several prunes
  sqlite_journal journal{dir / "j.sqlite", options};
  journal.begin_run("s");
  for (int i = 0; i < 25; ++i)
    journal.record_result(ran_on(finished_attempt("t" + std::to_string(i), 1, task_status::succeeded, i), a100()));
  const auto history = journal.load_history();
  ASSERT_EQ(history.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_DOUBLE_EQ(history[static_cast<std::size_t>(i)].duration_s, 15.0 + i);
}

TEST(sqlite_journal, load_history_with_a_limit_returns_the_newest_rows_oldest_first) {
  journal_temp_dir dir;
  sqlite_journal journal{dir / "j.sqlite"};
  journal.begin_run("s");
  for (int i = 0; i < 6; ++i)
    journal.record_result(ran_on(finished_attempt("t" + std::to_string(i), 1, task_status::succeeded, i), a100()));
  const auto history = journal.load_history(3);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_DOUBLE_EQ(history[0].duration_s, 3.0);
  EXPECT_DOUBLE_EQ(history[2].duration_s, 5.0);
}

TEST(sqlite_journal, old_runs_are_pruned_but_their_history_is_kept) {
  journal_temp_dir dir;
  journal_options options;
  options.runs_kept = 2;
  sqlite_journal journal{dir / "j.sqlite", options};
  std::vector<std::int64_t> runs;
  for (int r = 0; r < 3; ++r) {
    runs.push_back(journal.begin_run("run" + std::to_string(r)));
    journal.record_task_submitted(sample_task("t"));
    journal.record_result(ran_on(finished_attempt("t", 1, task_status::succeeded, 1.0), a100()));
    journal.finish_run(runs.back());
  }
  EXPECT_EQ(journal.runs().size(), 2u);
  EXPECT_TRUE(journal.tasks(runs[0]).empty());
  EXPECT_EQ(journal.tasks(runs[2]).size(), 1u);
  EXPECT_EQ(journal.history_size(), 3u);
}

TEST(sqlite_journal, concurrent_producers_lose_nothing_under_back_pressure) {
  journal_temp_dir dir;
  journal_options options;
  options.batch_rows = 16;
  options.max_queued = 32;  // producers must wait for the writer
  sqlite_journal journal{dir / "j.sqlite", options};
  const auto run = journal.begin_run("s");
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p)
    producers.emplace_back([&journal, p] {
      for (int i = 0; i < 250; ++i) {
        const auto id = "p" + std::to_string(p) + "-" + std::to_string(i);
        journal.record_task_submitted(sample_task(id));
        journal.record_result(ran_on(finished_attempt(id, 1, task_status::succeeded, 1.0), a100()));
      }
    });
  for (auto& t : producers) t.join();
  EXPECT_EQ(journal.tasks(run).size(), 1000u);
  EXPECT_EQ(journal.attempts(run).size(), 1000u);
  EXPECT_EQ(journal.history_size(), 1000u);
  EXPECT_FALSE(journal.error().has_value());
  EXPECT_EQ(journal.dropped(), 0u);
}

TEST(sqlite_journal, summary_counts_tasks_and_means_per_model_and_device) {
  journal_temp_dir dir;
  sqlite_journal journal{dir / "j.sqlite"};
  journal.begin_run("nightly");
  journal.record_worker(a100());
  for (const char* id : {"a", "b", "c"}) journal.record_task_submitted(sample_task(id));
  journal.record_result(ran_on(finished_attempt("a", 1, task_status::succeeded, 20.0), a100()));
  journal.record_result(ran_on(finished_attempt("b", 1, task_status::succeeded, 40.0), a100()));
  journal.record_result(ran_on(finished_attempt("c", 1, task_status::failed, 1.0), a100()));
  journal.record_state("a", task_status::succeeded);
  journal.record_state("b", task_status::succeeded);
  journal.record_state("c", task_status::failed);
  const auto s = journal.summary();
  ASSERT_EQ(s.runs.size(), 1u);
  EXPECT_EQ(s.workers, 1u);
  EXPECT_EQ(s.attempts, 3u);
  ASSERT_EQ(s.tasks_by_status.size(), 2u);
  EXPECT_EQ(s.tasks_by_status[0].status, "failed");
  EXPECT_EQ(s.tasks_by_status[1].count, 2u);
  ASSERT_EQ(s.by_model_device.size(), 1u);
  EXPECT_EQ(s.by_model_device[0].runs, 3u);
  EXPECT_EQ(s.by_model_device[0].succeeded, 2u);
  EXPECT_DOUBLE_EQ(s.by_model_device[0].mean_duration_s, 30.0);
  EXPECT_EQ(s.predictions.from_history, 2u);       // predicted 30 s both times
  EXPECT_DOUBLE_EQ(s.predictions.mean_abs_error_s, 10.0);
  EXPECT_DOUBLE_EQ(s.predictions.mape, (10.0 / 20.0 + 10.0 / 40.0) / 2);
  EXPECT_NEAR(s.predictions.median_abs_log_ratio, (std::log(1.5) + std::log(4.0 / 3.0)) / 2, 1e-12);
  EXPECT_FALSE(s.predictions.rank_correlation);  // two compared: too few to rank
}

} // namespace
} // namespace dtf
