#pragma once
// The real dtf binary (env DTF_BINARY) as a process a test can signal: start
// it in a directory, send it signals, wait for its exit; and the small checks
// that go with that (is a process still running, poll until something holds).
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

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Alive and not a zombie (a killed process may wait a moment to be reaped).
inline bool process_running(pid_t pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>{stat}, {}};
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

/// Polls until `done` holds; false after `limit` (a hang fails the test, not the clock).
template <class F>
bool eventually(F done, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// Starts dtf with `arguments` in `dir`, stdout and stderr to `output`.
inline pid_t start_dtf(const std::filesystem::path& dir, const std::vector<std::string>& arguments,
                       const std::filesystem::path& output) {
  const char* binary = std::getenv("DTF_BINARY");
  EXPECT_NE(binary, nullptr) << "DTF_BINARY is not set";
  const auto output_path = output.string();
  const auto cwd = dir.string();
  pid_t child = ::fork();
  if (child == 0) {
    int fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (!binary || ::chdir(cwd.c_str()) != 0) ::_exit(127);
    std::vector<char*> argv{const_cast<char*>(binary)};
    for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary, argv.data());
    ::_exit(127);
  }
  return child;
}

/// The exit code; -1 when killed by a signal, or still running after 60 s (then killed).
inline int wait_exit(pid_t child) {
  int status = 0;
  if (!eventually([&] { return ::waitpid(child, &status, WNOHANG) == child; })) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace dtf::testing
