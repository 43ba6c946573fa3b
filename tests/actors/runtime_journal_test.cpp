// A run through the embedding API with a journal leaves every task, its final
// status and every attempt in the SQLite file (read back through the journal).
#include "actors/journal/sqlite_journal.hpp"
#include "actors/runtime.hpp"
#include "journal_edit.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace dtf {
namespace {

namespace fs = std::filesystem;

struct journal_file : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("dtf-journal-test-" + std::to_string(::getpid()));
  fs::path path = dir / "journal.db";
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
};

worker_capability emulated_gpu(const std::string& id) {
  worker_capability w;
  w.id = id;
  w.kind = device_kind::cuda;
  w.name = "NVIDIA A100-SXM4-40GB";
  w.memory_bytes = 40ull << 30;
  w.compute_capability = 8.0;
  w.emulated = true;
  return w;
}

task gpu_task(const std::string& id, std::vector<device_kind> hardware = {device_kind::cuda}) {
  task t;
  t.id = id;
  t.type = task_type::benchmark;
  t.model = "bert-base-uncased";
  t.requirements.hardware = std::move(hardware);
  return t;
}

TEST_F(journal_file, records_every_task_attempt_and_worker_of_a_run) {
  runtime_config config;
  config.probe_local = false;
  config.fleet = {emulated_gpu("gpu-a"), emulated_gpu("gpu-b")};
  config.time_scale = 0;
  config.metrics_interval_s = 0;
  config.journal_path = path.string();
  {
    runtime rt{config};
    rt.start();
    rt.submit({gpu_task("one"), gpu_task("two"), gpu_task("three"), gpu_task("nowhere", {device_kind::rocm})});
    auto stats = rt.wait();
    EXPECT_EQ(stats.succeeded, 3u);
    EXPECT_EQ(stats.unplaceable, 1u);
    rt.stop();
  }
  sqlite_journal journal{path};
  auto runs = journal.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "finished");
  auto tasks = journal.tasks(runs[0].id);
  ASSERT_EQ(tasks.size(), 4u);
  std::size_t succeeded = 0;
  for (const auto& t : tasks) {
    if (t.definition.id == "nowhere") EXPECT_EQ(t.status, task_status::failed) << "unplaceable is final";
    else if (t.status == task_status::succeeded) ++succeeded;
  }
  EXPECT_EQ(succeeded, 3u);
  auto attempts = journal.attempts(runs[0].id);
  ASSERT_EQ(attempts.size(), 3u);
  for (const auto& a : attempts) EXPECT_EQ(a.model, "bert-base-uncased");
  EXPECT_EQ(journal.history_size(), 3u) << "every result feeds the execution history";
}

TEST_F(journal_file, refuses_to_start_with_a_file_that_is_not_a_journal_naming_it) {
  std::ofstream{path} << "not a database";
  runtime_config config;
  config.probe_local = false;
  config.fleet = {emulated_gpu("gpu-a")};
  config.journal_path = path.string();
  runtime rt{config};
  try {
    rt.start();
    FAIL() << "started with a garbage journal";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string{e.what()}.find("journal.db"), std::string::npos) << e.what();
  }
}

TEST_F(journal_file, history_rows_out_of_range_are_not_learned_from_and_the_run_warns_naming_them) {
  runtime_config config;
  config.probe_local = false;
  config.fleet = {emulated_gpu("gpu-a")};
  config.time_scale = 0;
  config.metrics_interval_s = 0;
  config.journal_path = path.string();
  {
    runtime rt{config};
    rt.start();
    EXPECT_TRUE(rt.warnings().empty());
    rt.submit({gpu_task("one"), gpu_task("two")});
    rt.wait();
    rt.stop();
  }
  testing::edit_journal(path, "UPDATE history SET duration_s = 1e308 WHERE id = 1;");
  runtime rt{config};
  rt.start();
  EXPECT_EQ(rt.history_results(), 1u);
  ASSERT_EQ(rt.warnings().size(), 1u);
  EXPECT_EQ(rt.warnings()[0], "journal '" + path.string() +
                                  "': 1 history row out of range, not learned from (the oldest: row 1, field "
                                  "'duration_s' must be from 0 to 1e9 s)");
  rt.stop();
}

} // namespace
} // namespace dtf
