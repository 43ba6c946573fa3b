#pragma once
// Runs Debian's headless Chromium on a URL (no sandbox: tests run as root in
// containers), for the DOM after scripts ran (--dump-dom) or a screenshot;
// the browser's console messages come back from its log on stderr.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dtf::testing {

/// $DTF_CHROMIUM, else chromium or chromium-browser on PATH; empty when none.
inline std::string find_chromium() {
  if (const char* env = std::getenv("DTF_CHROMIUM"); env && *env) return env;
  const char* path = std::getenv("PATH");
  std::stringstream dirs{path ? path : "/usr/bin:/bin"};
  for (std::string dir; std::getline(dirs, dir, ':');)
    for (const char* name : {"chromium", "chromium-browser"}) {
      const auto candidate = std::filesystem::path{dir} / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  return {};
}

struct browser_run {
  int exit_code = -1;
  std::string dom;                            // --dump-dom's output
  std::vector<std::string> console_messages;  // lines of the page's console (errors, logs, uncaught exceptions)
  std::string log;                            // all of stderr
};

/// Loads `url` in a fresh profile under `work_dir`; `extra` adds --dump-dom
/// or --screenshot=FILE. Scripts get `budget_ms` of virtual time. Killed
/// after 120 s (then exit_code -1).
inline browser_run run_chromium(const std::string& chromium, const std::string& url,
                                const std::filesystem::path& work_dir, std::vector<std::string> extra,
                                int budget_ms = 5000) {
  browser_run result;
  std::filesystem::create_directories(work_dir);
  const auto out_path = (work_dir / "chromium.out").string();
  const auto err_path = (work_dir / "chromium.err").string();
  std::vector<std::string> args{chromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--no-default-browser-check",
                                "--disable-extensions",
                                "--disable-background-networking",
                                "--disable-dev-shm-usage",
                                "--hide-scrollbars",
                                "--window-size=1280,1000",
                                "--enable-logging=stderr",
                                "--v=0",
                                "--user-data-dir=" + (work_dir / "profile").string(),
                                "--virtual-time-budget=" + std::to_string(budget_ms)};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  const pid_t child = ::fork();
  if (child == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setpgid(0, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool exited = false;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!exited) {
    ::kill(-child, SIGKILL);
    ::waitpid(child, &status, 0);
  } else {
    ::kill(-child, SIGKILL);  // helpers left in its group
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  auto read = [](const std::string& p) {
    std::ifstream in{p};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  result.dom = read(out_path);
  result.log = read(err_path);
  std::stringstream lines{result.log};
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos)
      result.console_messages.push_back(line);
  return result;
}

/// Occurrences of `needle` in `text`.
inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

} // namespace dtf::testing
