// Results as JSON Lines: one parseable object per attempt, nothing non-finite.
#include "actors/output/results_jsonl_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace dtf {
namespace {

attempt_record sample_attempt(const std::string& task_id) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = "worker-cuda-1";
  a.status = task_status::failed;
  a.exit_code = 3;
  a.attempt = 2;
  a.start_unix_s = 1000.0;
  a.end_unix_s = 1002.5;
  a.duration_s = 2.5;
  a.predicted_s = 2.0;
  a.metrics = {{"throughput", 12.5}};
  a.model = "bert-base";
  a.type = task_type::benchmark;
  a.batch_size = 8;
  a.error = "exit code 3";
  return a;
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in{path};
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dtf-jsonl-" + std::to_string(::getpid()) + "-" + name);
}

TEST(results_jsonl_writer, writes_one_object_per_attempt_with_the_documented_fields) {
  auto path = temp_path("fields.jsonl");
  {
    results_jsonl_writer writer{path};
    writer.write(sample_attempt("t1"));
    // Each line is on disk as soon as write returns, before the writer closes.
    ASSERT_EQ(lines_of(path).size(), 1u);
    writer.write(sample_attempt("t2"));
  }
  auto lines = lines_of(path);
  ASSERT_EQ(lines.size(), 2u);
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["task"], "t1");
  EXPECT_EQ(first["worker"], "worker-cuda-1");
  EXPECT_EQ(first["status"], "failed");
  EXPECT_EQ(first["exit_code"], 3);
  EXPECT_EQ(first["attempt"], 2);
  EXPECT_EQ(first["start"], 1000.0);
  EXPECT_EQ(first["end"], 1002.5);
  EXPECT_EQ(first["duration_s"], 2.5);
  EXPECT_EQ(first["predicted_s"], 2.0);
  EXPECT_EQ(first["metrics"]["throughput"], 12.5);
  EXPECT_EQ(first["model"], "bert-base");
  EXPECT_EQ(first["type"], "benchmark");
  EXPECT_EQ(first["error"], "exit code 3");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["task"], "t2");
  std::filesystem::remove(path);
}

TEST(results_jsonl_writer, clamps_non_finite_numbers_and_survives_invalid_utf8) {
  auto a = sample_attempt("bad\xff-id");
  a.duration_s = std::numeric_limits<double>::infinity();
  a.predicted_s = std::nan("");
  a.metrics["nan"] = std::nan("");
  auto line = nlohmann::json::parse(results_jsonl_writer::to_json_line(a));
  EXPECT_EQ(line["duration_s"], 0.0);
  EXPECT_TRUE(line["predicted_s"].is_null());
  EXPECT_FALSE(line["metrics"].contains("nan"));
  EXPECT_EQ(line["task"], "bad\xEF\xBF\xBD-id");
}

TEST(results_jsonl_writer, lines_from_several_threads_never_interleave) {
  auto path = temp_path("threads.jsonl");
  {
    results_jsonl_writer writer{path};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < 50; ++i) writer.write(sample_attempt("t" + std::to_string(t) + "-" + std::to_string(i)));
      });
    for (auto& thread : threads) thread.join();
  }
  auto lines = lines_of(path);
  ASSERT_EQ(lines.size(), 200u);
  for (const auto& line : lines) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  std::filesystem::remove(path);
}

TEST(results_jsonl_writer, names_the_file_it_cannot_open) {
  try {
    results_jsonl_writer writer{"/nonexistent-dtf-dir/results.jsonl"};
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot open results file '/nonexistent-dtf-dir/results.jsonl': No such file or directory");
  }
}

} // namespace
} // namespace dtf
