// The HTML report of README's example run and the live status page of
// `dtf run --http`, opened in headless Chromium (Debian's `chromium`, which
// scripts/setup installs): the rendered DOM has its parts, one timeline bar
// per attempt, no console message or script error, and a screenshot (kept in
// the build tree, DTF_SCREENSHOT_DIR) that shows something. Skips only when
// no Chromium is installed.
#include "tests/browser/headless_chromium.hpp"
#include "tests/browser/png_image.hpp"
#include "tests/cli/dtf_process.hpp"
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using dtf::testing::count_of;

class browser : public ::testing::Test {
protected:
  void SetUp() override {
    chromium = dtf::testing::find_chromium();
    if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/setup installs it; DTF_CHROMIUM names another)";
    dir = fs::temp_directory_path() / ("dtf-browser-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::create_directories(DTF_SCREENSHOT_DIR);
  }
  void TearDown() override {
    if (pid > 0 && dtf::testing::process_running(pid)) {
      ::kill(pid, SIGKILL);
      dtf::testing::wait_exit(pid);
    }
    if (!dir.empty()) fs::remove_all(dir);
  }

  static std::size_t lines_of(const fs::path& p) {
    std::ifstream in{p};
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += !line.empty();
    return n;
  }

  /// Takes a screenshot of `url` into the kept screenshot folder and checks it is not blank.
  void check_screenshot(const std::string& url, const std::string& name) {
    const auto png = fs::path{DTF_SCREENSHOT_DIR} / name;
    fs::remove(png);
    auto shot = dtf::testing::run_chromium(chromium, url, dir / ("shot-" + name), {"--screenshot=" + png.string()});
    ASSERT_EQ(shot.exit_code, 0) << shot.log;
    ASSERT_TRUE(fs::exists(png)) << shot.log;
    const auto image = dtf::testing::read_png_summary(png.string());
    EXPECT_EQ(image.width, 1280u);
    EXPECT_EQ(image.height, 1000u);
    EXPECT_GE(image.distinct_colours, 16u) << name << " looks blank";
    EXPECT_GT(image.non_background_fraction, 0.01) << name << " looks blank";
    std::cout << name << ": " << image.width << "x" << image.height << ", " << image.distinct_colours
              << " colours, " << 100.0 * image.non_background_fraction << " % not background, kept at " << png
              << "\n";
  }

  std::string chromium;
  fs::path dir;
  pid_t pid = -1;
};

TEST_F(browser, the_report_of_readmes_example_renders_with_one_bar_per_attempt) {
  const std::string source = DTF_SOURCE_DIR;
  const auto results = dir / "results.jsonl";
  const auto html = dir / "report.html";
  auto run = dtf::testing::run_dtf({"run", source + "/examples/local-suite.yaml", "--fleet",
                                    source + "/examples/gpu-fleet.yaml", "--time-scale", "0.02", "--results",
                                    results.string(), "--junit", (dir / "junit.xml").string(), "--no-journal",
                                    "--output-dir", (dir / "out").string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto report = dtf::testing::run_dtf({"report", results.string(), "--html", html.string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto attempts = lines_of(results);
  ASSERT_GT(attempts, 0u);

  const auto url = "file://" + html.string();
  auto page = dtf::testing::run_chromium(chromium, url, dir / "dom", {"--dump-dom"});
  ASSERT_EQ(page.exit_code, 0) << page.log;
  ASSERT_NE(page.dom.find("</html>"), std::string::npos) << "no DOM came back:\n" << page.log;
  for (const auto& m : page.console_messages) ADD_FAILURE() << "console: " << m;
  for (const char* part : {"<h2>Summary</h2>", "<table class=\"summary\">", "<table class=\"workers\">",
                           "<table class=\"tasks\">", "class=\"timeline\""})
    EXPECT_NE(page.dom.find(part), std::string::npos) << part;
  EXPECT_EQ(count_of(page.dom, "<rect class=\"bar\""), attempts) << "one timeline bar per attempt";
  check_screenshot(url, "report.png");
}

TEST_F(browser, the_live_status_page_draws_workers_and_a_bar_per_attempt_without_errors) {
  std::ofstream{dir / "suite.yaml"} << R"(suite: browser-watch
defaults: {type: test, retries: 0, requirements: {hardware: [cpu]}}
tasks:
  - {id: one, command: "sleep 0.3"}
  - {id: two, command: "sleep 0.3"}
  - {id: three, command: "sleep 0.2"}
  - {id: four, command: "sh -c 'exit 1'"}
)";
  pid = dtf::testing::start_dtf(dir,
                                {"run", "suite.yaml", "--no-journal", "--results", "results.jsonl", "--http",
                                 "127.0.0.1:0", "--http-linger", "300", "--output-dir", "out"},
                                dir / "output");
  int port = 0;
  ASSERT_TRUE(dtf::testing::eventually([&] {
    std::smatch m;
    const auto text = dtf::testing::read_text(dir / "output");
    static const std::regex served{R"(serving http://127\.0\.0\.1:([0-9]+)/)"};
    if (std::regex_search(text, m, served)) port = std::stoi(m[1]);
    return port > 0 || !dtf::testing::process_running(pid);
  }));
  ASSERT_GT(port, 0) << dtf::testing::read_text(dir / "output");
  // The page is opened once the run is over, so what it must show is known.
  ASSERT_TRUE(dtf::testing::eventually(
      [&] { return dtf::testing::read_text(dir / "output").find("for 300 s") != std::string::npos; }))
      << dtf::testing::read_text(dir / "output");
  httplib::Client client{"127.0.0.1", port};
  auto workers = client.Get("/workers");
  ASSERT_TRUE(workers);
  const auto worker_count = nlohmann::json::parse(workers->body)["workers"].size();
  const auto attempts = lines_of(dir / "results.jsonl");
  ASSERT_EQ(attempts, 4u);

  const auto url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto page = dtf::testing::run_chromium(chromium, url, dir / "dom", {"--dump-dom"});
  ASSERT_EQ(page.exit_code, 0) << page.log;
  for (const auto& m : page.console_messages) ADD_FAILURE() << "console: " << m;
  EXPECT_TRUE(std::regex_search(page.dom, std::regex{R"(data-updates="[1-9])"})) << "the page never showed /status:\n"
                                                                                  << page.dom;
  EXPECT_NE(page.dom.find("data-state=\"finished\""), std::string::npos);
  EXPECT_NE(page.dom.find("<pre id=\"js-errors\" hidden=\"\"></pre>"), std::string::npos) << "script errors:\n" << page.dom;
  EXPECT_NE(page.dom.find("<div id=\"problem\"></div>"), std::string::npos) << page.dom;
  EXPECT_EQ(count_of(page.dom, "class=\"worker-row\""), worker_count);
  EXPECT_EQ(count_of(page.dom, "<rect class=\"bar "), attempts) << "one timeline bar per attempt";
  EXPECT_NE(page.dom.find("id=\"count-succeeded\">3<"), std::string::npos) << page.dom;
  EXPECT_NE(page.dom.find("id=\"count-failed\">1<"), std::string::npos) << page.dom;
  check_screenshot(url, "status-page.png");

  ::kill(pid, SIGTERM);
  EXPECT_EQ(dtf::testing::wait_exit(pid), 1);
  pid = -1;
}

} // namespace
