// JUnit XML: well-formed (checked by xmllint), counts that match its cases.
#include "actors/output/junit_writer.hpp"
#include "actors/output/xml_escape.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>

#include <unistd.h>

namespace dtf {
namespace {

attempt_record attempt_of(const std::string& task_id, task_status status, int attempt, double duration_s) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = "worker-cpu-0";
  a.status = status;
  a.attempt = attempt;
  a.duration_s = duration_s;
  a.exit_code = status == task_status::succeeded ? 0 : 1;
  return a;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dtf-junit-" + std::to_string(::getpid()) + "-" + name);
}

/// xmllint --noout exits 0 only for well-formed XML.
bool xmllint_accepts(const std::filesystem::path& path) {
  auto command = "xmllint --noout '" + path.string() + "' 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

/// Counts the elements in the document as a CI system would (via xmllint's XPath).
int xpath_count(const std::filesystem::path& path, const std::string& expression) {
  auto command = "xmllint --xpath 'count(" + expression + ")' '" + path.string() + "' 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buffer[64] = {};
  auto n = std::fread(buffer, 1, sizeof buffer - 1, pipe);
  ::pclose(pipe);
  return n > 0 ? std::atoi(buffer) : -1;
}

std::string xpath_string(const std::filesystem::path& path, const std::string& expression) {
  auto command = "xmllint --xpath 'string(" + expression + ")' '" + path.string() + "' 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string text;
  char buffer[256];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  ::pclose(pipe);
  if (!text.empty() && text.back() == '\n') text.pop_back();  // xmllint ends its answer with one
  return text;
}

TEST(junit_writer, the_final_attempt_of_each_task_decides_its_testcase) {
  junit_writer writer{"nightly"};
  writer.record(attempt_of("flaky", task_status::failed, 1, 1.0));
  writer.record(attempt_of("steady", task_status::succeeded, 1, 2.0));
  writer.record(attempt_of("flaky", task_status::succeeded, 2, 1.5));
  auto counts = writer.counts();
  EXPECT_EQ(counts.tests, 2u);
  EXPECT_EQ(counts.failures, 0u);
  EXPECT_DOUBLE_EQ(counts.time_s, 3.5);
}

TEST(junit_writer, a_copy_lost_or_cancelled_after_the_success_does_not_decide_the_testcase) {
  // A replay in placement order (a resumed run) can bring the losing copy of a
  // backup race, lost with its worker or cancelled, after the attempt that
  // succeeded; a lost attempt alone still decides.
  junit_writer writer{"nightly"};
  writer.record(attempt_of("raced", task_status::succeeded, 1, 2.0));
  writer.record(attempt_of("raced", task_status::lost, 2, 1.0));
  writer.record(attempt_of("gone", task_status::lost, 1, 1.0));
  writer.record(attempt_of("cancelled copy", task_status::succeeded, 1, 2.0));
  writer.record(attempt_of("cancelled copy", task_status::cancelled, 2, 1.0));
  auto counts = writer.counts();
  EXPECT_EQ(counts.tests, 3u);
  EXPECT_EQ(counts.errors, 1u);  // "gone"
  EXPECT_EQ(counts.skipped, 0u);
  EXPECT_DOUBLE_EQ(counts.time_s, 5.0);
  attempt_record lost = attempt_of("t", task_status::lost, 2, 1.0), won = attempt_of("t", task_status::succeeded, 1, 1.0);
  EXPECT_TRUE(decides_over(won, lost));
  EXPECT_FALSE(decides_over(lost, won));
  EXPECT_FALSE(decides_over(attempt_of("t", task_status::failed, 2, 1.0), won))
      << "only a losing copy ends after a success: a backup that failed before it";
}

TEST(junit_writer, the_attempt_that_ended_the_task_decides_over_copies_recorded_before_or_after_it) {
  // dtf run: the backup failed first (the first attempt kept the task), the
  // first attempt then ended it; "raced"'s backup won, its first attempt
  // reported cancelled after it.
  const std::pair<attempt_record, bool> updates[] = {  // the attempt, and whether it ended its task
      {attempt_of("kept", task_status::failed, 2, 1.0), false},
      {attempt_of("kept", task_status::succeeded, 1, 2.0), true},
      {attempt_of("raced", task_status::succeeded, 2, 1.0), true},
      {attempt_of("raced", task_status::cancelled, 1, 3.0), false},
  };
  junit_writer writer{"nightly"};
  for (const auto& [attempt, ended_task] : updates) ended_task ? writer.record_final(attempt) : writer.record(attempt);
  const auto xml = writer.render(0, "ci");
  EXPECT_NE(xml.find("<testcase name=\"kept\" classname=\"nightly\" time=\"2.000\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase name=\"raced\" classname=\"nightly\" time=\"1.000\"/>"), std::string::npos) << xml;
}

TEST(junit_writer, an_interrupted_task_stays_an_error_unless_a_later_report_succeeded) {
  // The run stopped while the tasks' copies ran, and they report after the
  // task ended: a copy the stop cancelled (before: <skipped>) or one that
  // failed leaves the testcase an interrupted error, as the run's summary
  // counts the task cancelled; one that succeeded before the stop reached it
  // passes it, as the summary counts it succeeded.
  junit_writer writer{"nightly"};
  for (const char* id : {"cut", "failed", "done"}) writer.record_stopped(id, "interrupted by SIGINT");
  writer.record(attempt_of("cut", task_status::cancelled, 1, 3.0));
  writer.record(attempt_of("failed", task_status::failed, 1, 1.0));
  writer.record(attempt_of("done", task_status::succeeded, 1, 2.0));
  const auto counts = writer.counts();
  EXPECT_EQ(counts.errors, 2u);
  EXPECT_EQ(counts.failures, 0u);
  EXPECT_EQ(counts.skipped, 0u);
  const auto xml = writer.render(0, "ci");
  EXPECT_NE(xml.find("<error message=\"interrupted by SIGINT\" type=\"interrupted\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase name=\"done\" classname=\"nightly\" time=\"2.000\"/>"), std::string::npos) << xml;
}

TEST(junit_writer, writes_xml_that_parses_and_whose_counts_match_its_cases) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed (scripts/setup)";
  junit_writer writer{"suite <&> \"one\""};
  writer.record(attempt_of("passes", task_status::succeeded, 1, 0.25));
  auto failing = attempt_of("fails & <breaks>", task_status::failed, 2, 0.5);
  failing.error = "exit code 1";
  failing.stderr_tail = "line one\n\x1b[31mred\x1b[0m \x01 ]]> bad utf8 \xc3\x28 end\n";
  writer.record(failing);
  auto slow = attempt_of("slow", task_status::timed_out, 1, 0.3);
  slow.error = "timed out after 0.3 s";
  writer.record(slow);
  writer.record(attempt_of("stopped", task_status::cancelled, 1, 0.1));
  writer.record_not_run("needs-a100", "no worker can run it: no cuda worker");
  auto path = temp_path("report.xml");
  writer.write(path, 1'700'000'000.0);

  ASSERT_TRUE(xmllint_accepts(path));
  EXPECT_EQ(xpath_count(path, "/testsuites/testsuite"), 1);
  EXPECT_EQ(xpath_count(path, "//testcase"), 5);
  EXPECT_EQ(xpath_count(path, "//testcase/failure"), 2);
  EXPECT_EQ(xpath_count(path, "//testcase/error"), 1);
  EXPECT_EQ(xpath_count(path, "//testcase/skipped"), 1);
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@tests"), "5");
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@failures"), "2");
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@errors"), "1");
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@skipped"), "1");
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@time"), "1.150");
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@timestamp"), "2023-11-14T22:13:20");
  EXPECT_EQ(xpath_string(path, "/testsuites/testsuite/@name"), "suite <&> \"one\"");
  EXPECT_EQ(xpath_string(path, "//testcase[2]/@name"), "fails & <breaks>");
  EXPECT_EQ(xpath_string(path, "//testcase[2]/@classname"), "suite <&> \"one\"");
  EXPECT_EQ(xpath_string(path, "//testcase[2]/failure/@message"), "exit code 1 on worker-cpu-0 (attempt 2)");
  auto tail = xpath_string(path, "//testcase[2]/failure");
  EXPECT_NE(tail.find("line one\n\\x1B[31mred"), std::string::npos) << tail;
  EXPECT_EQ(xpath_string(path, "//testcase[3]/failure/@type"), "timeout");
  EXPECT_EQ(xpath_string(path, "//testcase[5]/error/@message"), "no worker can run it: no cuda worker");
  std::filesystem::remove(path);
}

TEST(xml_escape, keeps_newlines_in_attributes_as_references) {
  EXPECT_EQ(xml_escape("a\nb\t'c'", true), "a&#10;b&#9;&apos;c&apos;");
  EXPECT_EQ(xml_escape("a\nb", false), "a\nb");
  EXPECT_EQ(xml_escape("\xef\xbf\xbf", false), "\\uFFFF");
  EXPECT_EQ(xml_escape("caf\xc3\xa9", false), "caf\xc3\xa9");
  EXPECT_EQ(xml_escape("\xed\xa0\x80", false), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is not UTF-8
}

RC_GTEST_PROP(xml_escape, never_leaves_markup_or_forbidden_bytes, (std::string text)) {
  auto escaped = xml_escape(text, true);
  RC_ASSERT(escaped.find_first_of("<>\"'\n\r\t") == std::string::npos);
  for (unsigned char c : escaped) RC_ASSERT(c >= 0x20 && c != 0x7F);
}

} // namespace
} // namespace dtf
