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

#include <algorithm>
#include <cstdint>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

/// A free loopback port below the kernel's ephemeral range, for a test that
/// restarts a process on the same port. A port from the range (what port 0
/// gives) can be taken meanwhile as the source port of any connection on the
/// machine (the restart cannot bind it then), or even by a client retrying to
/// reach it: a TCP connect to a port nothing listens on, from that same port,
/// connects to itself. `salt` spreads concurrent tests over the ports.
inline std::uint16_t port_outside_ephemeral_range(std::size_t salt) {
  int low = 32768;
  if (std::ifstream range{"/proc/sys/net/ipv4/ip_local_port_range"}; range) range >> low;
  const int first = 10000;
  const int span = std::max(low - first, 1);
  for (int i = 0; i < span; ++i) {
    const auto port = static_cast<std::uint16_t>(first + static_cast<int>((salt + static_cast<std::size_t>(i) * 7919) %
                                                                          static_cast<std::size_t>(span)));
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (free) return port;
  }
  ADD_FAILURE() << "no free port below " << low;
  return 0;
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
