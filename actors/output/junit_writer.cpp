#include "actors/output/junit_writer.hpp"
#include "actors/output/xml_escape.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace dtf {
namespace {

/// Case times are printed with millisecond precision; the suite's time is the
/// sum of the printed values, so a checker that adds them up finds it equal.
double printed_seconds(double seconds) {
  return std::isfinite(seconds) && seconds > 0 ? std::round(seconds * 1000.0) / 1000.0 : 0.0;
}

std::string seconds_attribute(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", std::isfinite(seconds) && seconds > 0 ? seconds : 0.0);
  return buffer;
}

/// xs:dateTime without a zone, as the JUnit schema wants; in UTC.
std::string timestamp_attribute(double unix_s) {
  std::time_t seconds = std::isfinite(unix_s) && unix_s > 0 ? static_cast<std::time_t>(unix_s) : 0;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  return buffer;
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value, true) + "\"";
}

std::string failure_message(const attempt_record& a) {
  std::string what = a.error;
  if (what.empty()) what = a.status == task_status::timed_out ? "timed out" : "exit code " + std::to_string(a.exit_code);
  return what + " on " + a.worker_id + " (attempt " + std::to_string(a.attempt) + ")";
}

} // namespace

junit_writer::junit_writer(std::string suite_name) : suite_name_(std::move(suite_name)) {}

void junit_writer::record(const attempt_record& attempt) { keep(attempt, false); }

void junit_writer::record_final(const attempt_record& attempt) { keep(attempt, true); }

void junit_writer::keep(const attempt_record& attempt, bool ended_task) {
  std::lock_guard lock{mutex_};
  auto [it, inserted] = index_of_.emplace(attempt.task_id, cases_.size());
  if (inserted) {
    cases_.push_back({attempt, ended_task, true, {}, {}});
    return;
  }
  auto& c = cases_[it->second];
  if (ended_task || (!c.ended_task && (!c.ran || decides_over(attempt, c.final_attempt)))) {
    // A copy reported after the stop leaves the task interrupted unless it
    // succeeded: it did the task's work before the stop reached it.
    auto stopped = ended_task || attempt.status == task_status::succeeded ? std::string{} : std::move(c.stopped_reason);
    c = {attempt, ended_task, true, {}, std::move(stopped)};
  }
}

void junit_writer::record_not_run(const std::string& task_id, const std::string& reason) {
  std::lock_guard lock{mutex_};
  auto [it, inserted] = index_of_.emplace(task_id, cases_.size());
  if (!inserted) return;
  test_case c;
  c.final_attempt.task_id = task_id;
  c.ran = false;
  c.not_run_reason = reason;
  cases_.push_back(std::move(c));
}

void junit_writer::record_stopped(const std::string& task_id, const std::string& reason) {
  std::lock_guard lock{mutex_};
  auto [it, inserted] = index_of_.emplace(task_id, cases_.size());
  if (inserted) {
    test_case c;
    c.final_attempt.task_id = task_id;
    c.ran = false;
    c.not_run_reason = reason;
    cases_.push_back(std::move(c));
  }
  cases_[it->second].stopped_reason = reason;
}

junit_counts junit_writer::counts() const {
  std::lock_guard lock{mutex_};
  junit_counts counts;
  for (const auto& c : cases_) {
    ++counts.tests;
    if (!c.ran || !c.stopped_reason.empty()) ++counts.errors;
    else if (c.final_attempt.status == task_status::failed || c.final_attempt.status == task_status::timed_out)
      ++counts.failures;
    else if (c.final_attempt.status == task_status::cancelled) ++counts.skipped;
    else if (c.final_attempt.status != task_status::succeeded) ++counts.errors;
    if (c.ran) counts.time_s += printed_seconds(c.final_attempt.duration_s);
  }
  return counts;
}

std::string junit_writer::render(double timestamp_unix_s, const std::string& hostname) const {
  auto totals = counts();
  std::string counts_attributes = attr("tests", std::to_string(totals.tests)) +
                                  attr("failures", std::to_string(totals.failures)) +
                                  attr("errors", std::to_string(totals.errors)) +
                                  attr("skipped", std::to_string(totals.skipped)) +
                                  attr("time", seconds_attribute(totals.time_s));
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + attr("name", suite_name_) + counts_attributes + ">\n";
  xml += "  <testsuite" + attr("name", suite_name_) + counts_attributes + attr("timestamp", timestamp_attribute(timestamp_unix_s)) +
         attr("hostname", hostname.empty() ? "localhost" : hostname) + attr("id", "0") + ">\n";
  std::lock_guard lock{mutex_};
  for (const auto& c : cases_) {
    const auto& a = c.final_attempt;
    xml += "    <testcase" + attr("name", a.task_id) + attr("classname", suite_name_) +
           attr("time", seconds_attribute(c.ran ? a.duration_s : 0.0));
    if (c.ran && a.status == task_status::succeeded && c.stopped_reason.empty()) {
      xml += "/>\n";
      continue;
    }
    xml += ">\n";
    if (!c.stopped_reason.empty()) {
      xml += "      <error" + attr("message", c.stopped_reason) + attr("type", "interrupted") + ">" +
             xml_escape(c.ran ? a.stderr_tail : std::string{}, false) + "</error>\n";
    } else if (!c.ran) {
      xml += "      <error" + attr("message", c.not_run_reason) + attr("type", "not_run") + "/>\n";
    } else if (a.status == task_status::failed || a.status == task_status::timed_out) {
      xml += "      <failure" + attr("message", failure_message(a)) +
             attr("type", a.status == task_status::timed_out ? "timeout" : "failure") + ">" +
             xml_escape(a.stderr_tail, false) + "</failure>\n";
    } else if (a.status == task_status::lost) {
      xml += "      <error" + attr("message", failure_message(a)) + attr("type", "lost") + "/>\n";
    } else if (a.status == task_status::cancelled) {
      xml += "      <skipped" + attr("message", a.error.empty() ? "cancelled" : a.error) + "/>\n";
    } else {
      xml += "      <error" + attr("message", "ended in state " + std::string(to_string(a.status))) +
             attr("type", "incomplete") + "/>\n";
    }
    xml += "    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

void junit_writer::write(const std::filesystem::path& path, double timestamp_unix_s) const {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  auto xml = render(timestamp_unix_s, host);
  auto temporary = path;
  temporary += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out{temporary, std::ios::binary | std::ios::trunc};
    out << xml;
    out.flush();
    if (!out) throw std::runtime_error("cannot write JUnit file '" + temporary.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw std::runtime_error("cannot write JUnit file '" + path.string() + "': " + ec.message());
  }
}

} // namespace dtf
