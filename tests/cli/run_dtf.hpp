#pragma once
// Runs the real dtf binary (env DTF_BINARY) with arguments, capturing exit
// code, stdout and stderr. Arguments go straight to execv (no shell), and
// stderr goes to a unique temporary file so that tests may run in parallel.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace dtf::testing {

struct run_result {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string read_all(int fd) {
  std::string text;
  std::array<char, 4096> buffer{};
  for (ssize_t n; (n = ::read(fd, buffer.data(), buffer.size())) > 0;) text.append(buffer.data(), static_cast<std::size_t>(n));
  return text;
}

inline run_result run_dtf(const std::vector<std::string>& arguments) {
  run_result result;
  const char* binary = std::getenv("DTF_BINARY");
  EXPECT_NE(binary, nullptr) << "DTF_BINARY is not set";
  if (!binary) return result;
  std::string err_path = ::testing::TempDir() + "dtf_cli_stderr_XXXXXX";
  const int err_fd = ::mkstemp(err_path.data());
  EXPECT_GE(err_fd, 0);
  int out_pipe[2];
  EXPECT_EQ(::pipe(out_pipe), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    std::vector<char*> argv{const_cast<char*>(binary)};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    ::execv(binary, argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  result.out = read_all(out_pipe[0]);
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ::lseek(err_fd, 0, SEEK_SET);
  result.err = read_all(err_fd);
  ::close(err_fd);
  ::unlink(err_path.c_str());
  return result;
}

} // namespace dtf::testing
