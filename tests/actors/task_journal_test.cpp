// The journal is a real SQLite file: a run through the embedding API leaves
// every task, attempt and worker in it, readable by any SQLite client.
#include "actors/journal/task_journal.hpp"
#include "actors/runtime.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace dtf {
namespace {

namespace fs = std::filesystem;

std::string query_text(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    auto* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "";
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

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
  EXPECT_EQ(query_text(path, "SELECT count(*) FROM tasks WHERE status = 'succeeded'"), "3");
  EXPECT_EQ(query_text(path, "SELECT status FROM tasks WHERE id = 'nowhere'"), "unplaceable");
  EXPECT_EQ(query_text(path, "SELECT count(*) FROM attempts"), "3");
  EXPECT_EQ(query_text(path, "SELECT model FROM attempts WHERE task_id = 'two'"), "bert-base-uncased");
  EXPECT_EQ(query_text(path, "SELECT group_concat(id) FROM (SELECT id FROM workers ORDER BY id)"), "gpu-a,gpu-b");
}

TEST_F(journal_file, refuses_a_path_it_cannot_open_naming_it) {
  try {
    task_journal journal{(dir / "missing-dir" / "journal.db").string()};
    FAIL() << "opened a journal in a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("missing-dir"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace dtf
