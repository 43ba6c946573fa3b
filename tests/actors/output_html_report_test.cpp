// The HTML report: well-formed (xmllint reads it as XML), every task in the
// tables, one timeline bar per attempt in its worker's lane, text escaped.
#include "actors/output/html_report.hpp"
#include "xmllint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace dtf {
namespace {

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dtf-html-" + std::to_string(::getpid()) + "-" + name);
}

attempt_record attempt(const std::string& task_id, const std::string& worker_id, int number, task_status status,
                       double start, double duration) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = worker_id;
  a.attempt = number;
  a.status = status;
  a.exit_code = status == task_status::succeeded ? 0 : 1;
  a.start_unix_s = 1700000000.0 + start;
  a.end_unix_s = a.start_unix_s + duration;
  a.duration_s = duration;
  a.predicted_s = duration * 1.1;
  return a;
}

std::vector<attempt_record> sample_run() {
  return {
    attempt("bert-cuda", "cuda-0", 1, task_status::succeeded, 0, 10),
    attempt("t5 <small> & co", "cpu-0", 1, task_status::failed, 1, 3),
    attempt("t5 <small> & co", "cuda-1", 2, task_status::succeeded, 5, 4),
    attempt("slow", "cpu-0", 1, task_status::timed_out, 4, 8),
    attempt("never-ran", "cuda-1", 1, task_status::cancelled, 0, 0),
  };
}

using testing::xmllint_accepts;

std::string xpath(const std::filesystem::path& path, const std::string& expression) {
  return testing::xmllint_xpath(path, expression);
}

TEST(html_report, is_well_formed_xml_with_a_bar_per_attempt_and_a_row_per_task) {
  const auto path = temp_path("report.html");
  write_html_report(path, sample_run(), {.title = "nightly <run>"});
  ASSERT_TRUE(xmllint_accepts(path));
  EXPECT_EQ(xpath(path, "count(//*[local-name()='rect'][@class='bar'])"), "5");
  EXPECT_EQ(xpath(path, "count(//*[local-name()='tr'][@class='task'])"), "4");
  EXPECT_EQ(xpath(path, "string(//*[local-name()='title'])"), "nightly <run>");
  // One lane per worker, labelled in the SVG.
  EXPECT_EQ(xpath(path, "count(//*[local-name()='rect'][@class='lane'])"), "3");
  std::filesystem::remove(path);
}

TEST(html_report, contains_every_task_and_colours_bars_by_status) {
  const auto html = render_html_report(sample_run());
  for (const char* id : {"bert-cuda", "t5 &lt;small&gt; &amp; co", "slow", "never-ran"})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(html.find("t5 <small>"), std::string::npos);  // escaped everywhere
  EXPECT_NE(html.find("data-status=\"timed_out\" x="), std::string::npos);
  EXPECT_NE(html.find("fill=\"#c62828\""), std::string::npos);  // the failed attempt
  EXPECT_NE(html.find("fill=\"#2e7d32\""), std::string::npos);  // succeeded ones
}

TEST(html_report, tooltips_name_the_task_attempt_worker_and_duration) {
  const auto html = render_html_report(sample_run());
  EXPECT_NE(html.find("<title>bert-cuda (attempt 1) on cuda-0: succeeded, 10.000 s (predicted 11.000 s)</title>"),
            std::string::npos)
      << html;
}

TEST(html_report, places_bars_in_time_within_the_plot) {
  // bert-cuda runs 0..10 s of a 12 s run (slow ends at 12): its bar starts at
  // the left edge of the plot and spans 10/12 of it.
  const auto html = render_html_report(sample_run());
  EXPECT_NE(html.find("data-task=\"bert-cuda\" data-status=\"succeeded\" x=\"180.00\" y=\"4.0\" width=\"800.00\""),
            std::string::npos)
      << html;
}

TEST(html_report, an_empty_run_is_still_a_valid_document) {
  const auto path = temp_path("empty.html");
  write_html_report(path, {});
  EXPECT_TRUE(xmllint_accepts(path));
  std::filesystem::remove(path);
}

TEST(html_report, an_unwritable_path_is_an_error_naming_it) {
  try {
    write_html_report("/nonexistent-dir/report.html", sample_run());
    FAIL() << "wrote into a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("/nonexistent-dir/report.html"), std::string::npos);
  }
}

} // namespace
} // namespace dtf
