// `dtf report RESULTS.jsonl --html OUT.html`, run as the real binary.
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
  const auto results = temp_path("raced.jsonl");
  const auto html = temp_path("raced.html");
  std::ofstream{results}
      << R"({"task":"raced","worker":"slow","status":"succeeded","exit_code":0,"attempt":1,"start":100,"end":160,"duration_s":60,"predicted_s":null,"metrics":{},"model":"","type":"test","batch_size":0})"
      << "\n"
      << R"({"task":"raced","worker":"fast","status":"cancelled","exit_code":-1,"attempt":2,"start":130,"end":161,"duration_s":31,"predicted_s":null,"metrics":{},"model":"","type":"test","batch_size":0,"error":"cancelled"})"
      << "\n"
      << R"({"task":"retried","worker":"fast","status":"failed","exit_code":1,"attempt":1,"start":100,"end":101,"duration_s":1,"predicted_s":null,"metrics":{},"model":"","type":"test","batch_size":0,"error":"exit code 1"})"
      << "\n"
      << R"({"task":"retried","worker":"slow","status":"cancelled","exit_code":-1,"attempt":2,"start":105,"end":106,"duration_s":1,"predicted_s":null,"metrics":{},"model":"","type":"test","batch_size":0,"error":"cancelled"})"
      << "\n";
  const auto result = dtf::testing::run_dtf({"report", results.string(), "--html", html.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto text = read_text(html);
  EXPECT_NE(text.find("<tr class=\"task\"><td>raced</td><td class=\"succeeded\">"), std::string::npos) << text;
  EXPECT_NE(text.find("<tr class=\"task\"><td>retried</td><td class=\"cancelled\">"), std::string::npos) << text;
  std::filesystem::remove(results);
  std::filesystem::remove(html);
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
