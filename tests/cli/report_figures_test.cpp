// The bundled example (README's main command: the local suite on this machine
// plus the emulated GPU fleet at --time-scale 0.02) through `dtf run` and
// `dtf report`: every percentage printed is within 0-100 %, the report's sums
// agree with the attempt records, and the timeline spans the wall time.
#include "actors/output/results_jsonl_reader.hpp"
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every "N %" or "N%" figure in text.
std::vector<double> percentages(const std::string& text) {
  std::vector<double> out;
  const std::regex percent{R"(([-0-9][0-9,]*(\.[0-9]+)?) ?%)"};
  for (auto it = std::sregex_iterator(text.begin(), text.end(), percent); it != std::sregex_iterator(); ++it) {
    std::string number = (*it)[1];
    std::erase(number, ',');
    out.push_back(std::stod(number));
  }
  return out;
}

// The number in the summary row named `name`, e.g. "wall time" -> 5.592.
double summary_value(const std::string& html, const std::string& name) {
  const std::regex row{"<tr><th>" + name + R"(</th><td>([0-9.]+) s</td></tr>)"};
  std::smatch m;
  EXPECT_TRUE(std::regex_search(html, m, row)) << name;
  return m.empty() ? -1.0 : std::stod(m[1]);
}

class report_figures : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dtf-figures-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(report_figures, the_bundled_example_adds_up_in_dtf_run_and_dtf_report) {
  const std::string source = DTF_SOURCE_DIR;
  const auto results = dir_ / "results.jsonl";
  const auto html = dir_ / "report.html";
  const auto run = dtf::testing::run_dtf({"run", source + "/examples/local-suite.yaml", "--fleet",
                                          source + "/examples/gpu-fleet.yaml", "--time-scale", "0.02", "--results",
                                          results.string(), "--output-dir", (dir_ / "out").string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const double p : percentages(run.out)) {
    EXPECT_GE(p, 0.0) << run.out;
    EXPECT_LE(p, 100.0) << run.out;
  }

  const auto attempts = dtf::read_results_jsonl(results);
  ASSERT_FALSE(attempts.empty());
  double t0 = 1e300, t1 = 0, busy_s = 0;
  std::map<std::string, double> busy_by_worker;
  int emulated = 0;
  for (const auto& a : attempts) {
    t0 = std::min(t0, a.start_unix_s);
    t1 = std::max(t1, a.end_unix_s);
    // duration_s is wall time: it matches the timestamps, also for emulated attempts.
    EXPECT_NEAR(a.duration_s, a.end_unix_s - a.start_unix_s, 0.05) << a.task_id;
    busy_s += a.end_unix_s - a.start_unix_s;
    busy_by_worker[a.worker_id] += a.end_unix_s - a.start_unix_s;
    EXPECT_GT(a.worker_slots, 0) << a.task_id;
    if (a.modeled_s) {
      ++emulated;
      // Modeled seconds are 50x the wall seconds at --time-scale 0.02.
      if (a.status == dtf::task_status::succeeded) {
        EXPECT_LT(a.duration_s, *a.modeled_s) << a.task_id;
      }
    }
  }
  EXPECT_GT(emulated, 0);

  const auto report = dtf::testing::run_dtf({"report", results.string(), "--html", html.string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto text = read_text(html);
  const auto figures = percentages(text);
  EXPECT_FALSE(figures.empty());
  for (const double p : figures) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 100.0);
  }
  EXPECT_NEAR(summary_value(text, "wall time"), t1 - t0, 0.002);
  EXPECT_NEAR(summary_value(text, R"(busy time \(wall, sum of attempts\))"), busy_s, 0.002);
  // Per worker: busy seconds in the Workers table match the records.
  for (const auto& [worker, seconds] : busy_by_worker) {
    const std::regex row{"<tr><td>" + worker +
                         R"re(</td><td class="num">[0-9]+( \(seen\))?</td><td class="num">[0-9]+</td>)re"
                         R"re(<td class="num">[0-9]+</td><td class="num">([0-9.]+)</td>)re"};
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, row)) << worker;
    EXPECT_NEAR(std::stod(m[2]), seconds, 0.002) << worker;
  }
  // The timeline: its axis is the wall time, one bar per attempt, bars inside
  // the plot, the earliest at its left edge and the latest at its right edge.
  std::smatch span;
  ASSERT_TRUE(std::regex_search(text, span, std::regex{R"re(class="timeline" data-span-s="([0-9.]+)")re"}));
  EXPECT_NEAR(std::stod(span[1]), t1 - t0, 0.002);
  const std::regex bar{
      R"re(class="bar" data-task="[^"]*" data-status="[a-z_]+" x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)")re"};
  double left = 1e300, right = 0;
  std::size_t bars = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), bar); it != std::sregex_iterator(); ++it, ++bars) {
    const double x = std::stod((*it)[1]), w = std::stod((*it)[2]);
    left = std::min(left, x);
    right = std::max(right, x + w);
  }
  EXPECT_EQ(bars, attempts.size());
  EXPECT_NEAR(left, 180.0, 0.01);           // label width
  EXPECT_NEAR(right, 180.0 + 960.0, 1.01);  // plot width (a bar is at least 1 unit wide)
}

} // namespace
