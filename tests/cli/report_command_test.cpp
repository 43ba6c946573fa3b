// `dtf report RESULTS.jsonl --html OUT.html`, run as the real binary.
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include <unistd.h>

namespace {

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dtf-report-" + std::to_string(::getpid()) + "-" + name);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A results line: attempt `attempt` of `task` on `worker`, ended `status`
/// ("succeeded", "failed" with exit code 1, or "cancelled"), from start_s to end_s.
std::string attempt_line(const std::string& task, const std::string& worker, const std::string& status, int attempt,
                         int start_s, int end_s) {
  const bool succeeded = status == "succeeded", cancelled = status == "cancelled";
  return R"({"task":")" + task + R"(","worker":")" + worker + R"(","status":")" + status +
         R"(","exit_code":)" + (succeeded ? "0" : cancelled ? "-1" : "1") + R"(,"attempt":)" + std::to_string(attempt) +
         R"(,"start":)" + std::to_string(start_s) + R"(,"end":)" + std::to_string(end_s) + R"(,"duration_s":)" +
         std::to_string(end_s - start_s) + R"(,"predicted_s":null,"metrics":{},"model":"","type":"test","batch_size":0)" +
         (succeeded ? "" : cancelled ? R"(,"error":"cancelled")" : R"(,"error":"exit code 1")") + "}";
}

/// The HTML `dtf report` writes of a results file of `lines` (NAME.jsonl;
/// both files are removed after).
std::string html_report_of(const std::string& name, std::initializer_list<std::string> lines) {
  const auto results = temp_path(name + ".jsonl"), html = temp_path(name + ".html");
  {
    std::ofstream out{results};
    for (const auto& line : lines) out << line << "\n";
  }
  const auto result = dtf::testing::run_dtf({"report", results.string(), "--html", html.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto text = read_text(html);
  std::filesystem::remove(results);
  std::filesystem::remove(html);
  return text;
}

/// A task's row in the report's task table, up to its status cell.
std::string task_row(const std::string& task, const std::string& status) {
  return "<tr class=\"task\"><td>" + task + "</td><td class=\"" + status + "\">";
}

TEST(report_command, writes_an_html_report_with_every_task_of_the_results_file) {
  const auto results = temp_path("results.jsonl");
  const auto html = temp_path("report.html");
  std::ofstream{results}
      << R"({"task":"alpha","worker":"cpu-0","status":"succeeded","exit_code":0,"attempt":1,"start":100,"end":102,"duration_s":2,"predicted_s":null,"metrics":{},"model":"","type":"test","batch_size":0})"
      << "\n"
      << R"({"task":"beta","worker":"cpu-1","status":"failed","exit_code":3,"attempt":1,"start":100,"end":101,"duration_s":1,"predicted_s":1.5,"metrics":{},"model":"","type":"test","batch_size":0,"error":"exit code 3"})"
      << "\n";
  const auto result = dtf::testing::run_dtf({"report", results.string(), "--html", html.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto text = read_text(html);
  EXPECT_NE(text.find("alpha"), std::string::npos);
  EXPECT_NE(text.find("beta"), std::string::npos);
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_EQ(std::system(("xmllint --noout '" + html.string() + "' 2>/dev/null").c_str()), 0);
  std::filesystem::remove(results);
  std::filesystem::remove(html);
}

TEST(report_command, a_task_shows_the_attempt_that_ended_it_not_a_copy_cancelled_after_it) {
  // "raced": its first attempt won a backup race, the backup (attempt 2) was
  // cancelled and reported after it; "retried": failed, then its retry was
  // cancelled with the run.
  const auto text = html_report_of("raced", {attempt_line("raced", "slow", "succeeded", 1, 100, 160),
                                             attempt_line("raced", "fast", "cancelled", 2, 130, 161),
                                             attempt_line("retried", "fast", "failed", 1, 100, 101),
                                             attempt_line("retried", "slow", "cancelled", 2, 105, 106)});
  EXPECT_NE(text.find(task_row("raced", "succeeded")), std::string::npos) << text;
  EXPECT_NE(text.find(task_row("retried", "cancelled")), std::string::npos) << text;
}

TEST(report_command, a_task_whose_backup_failed_before_its_first_attempt_succeeded_shows_the_success) {
  // "kept": the first attempt overran, its backup (attempt 2) failed while it
  // ran on, then it succeeded; "retried": failed, then its retry succeeded.
  const auto text = html_report_of("kept", {attempt_line("kept", "fast", "failed", 2, 130, 140),
                                            attempt_line("kept", "slow", "succeeded", 1, 100, 160),
                                            attempt_line("retried", "fast", "failed", 1, 100, 101),
                                            attempt_line("retried", "slow", "succeeded", 2, 105, 106)});
  EXPECT_NE(text.find(task_row("kept", "succeeded")), std::string::npos) << text;
  EXPECT_NE(text.find(task_row("retried", "succeeded")), std::string::npos) << text;
}

TEST(report_command, a_bad_results_line_exits_2_naming_file_and_line) {
  const auto results = temp_path("bad.jsonl");
  std::ofstream{results} << R"({"task":"alpha","status":"succeeded"})" << "\n{oops\n";
  const auto result = dtf::testing::run_dtf({"report", results.string(), "--html", temp_path("x.html").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(results.string() + ":2"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(temp_path("x.html")));
  std::filesystem::remove(results);
}

TEST(report_command, without_html_output_exits_2) {
  const auto result = dtf::testing::run_dtf({"report", "results.jsonl"});
  EXPECT_EQ(result.exit_code, 2);
}

} // namespace
