// spawn_process against real processes: what the child gets (its own group,
// the descriptors, the working directory), why a start failed (errno by
// stage), and that a command dies with the process that started it, even
// when that process is killed with SIGKILL (PR_SET_PDEATHSIG).
#include "actors/execution/process_spawn.hpp"

#include "tests/cli/dtf_process.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <cstddef>
#include <cstdint>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dtf {
namespace {

namespace fs = std::filesystem;

using dtf::testing::eventually;
using dtf::testing::process_running;

std::vector<std::string> environment() {
  std::vector<std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) env.emplace_back(*entry);
  return env;
}

class process_spawn : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dtf-spawn-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    null_ = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    out_ = ::open((dir_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GT(null_, 2);
    ASSERT_GT(out_, 2);
  }
  void TearDown() override {
    ::close(null_);
    ::close(out_);
    fs::remove_all(dir_);
  }

  process_spawn_request shell(const std::string& script) const {
    process_spawn_request request;
    request.executable = "/bin/sh";
    request.argv = {"sh", "-c", script};
    request.env = environment();
    request.stdin_fd = null_;
    request.stdout_fd = out_;
    request.stderr_fd = out_;
    return request;
  }

  static int exit_code_of(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  int null_ = -1, out_ = -1;
};

TEST_F(process_spawn, starts_the_command_in_its_own_group_in_its_directory_with_its_output_and_no_other_descriptor) {
  auto request = shell("pwd; [ \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ ] && echo leader; ls /proc/self/fd | wc -l");
  request.working_directory = dir_.string();
  const auto started = spawn_process(request);
  ASSERT_GT(started.pid, 0) << started.error;
  EXPECT_EQ(exit_code_of(started.pid), 0);
  std::ifstream in{dir_ / "out"};
  std::string directory, leader;
  int descriptors = -1;
  in >> directory >> leader >> descriptors;
  EXPECT_EQ(fs::path(directory), fs::canonical(dir_));
  EXPECT_EQ(leader, "leader");
  EXPECT_EQ(descriptors, 4);  // 0, 1, 2 and ls's own directory
}

TEST_F(process_spawn, reports_a_failed_start_by_stage_and_errno_and_leaves_no_child) {
  auto missing_directory = shell("true");
  missing_directory.working_directory = (dir_ / "missing").string();
  auto started = spawn_process(missing_directory);
  EXPECT_LE(started.pid, 0);
  EXPECT_EQ(started.failed_stage, spawn_stage::chdir);
  EXPECT_EQ(started.error, ENOENT);

  const auto not_executable = dir_ / "plain.txt";
  std::ofstream{not_executable} << "not a program\n";
  auto request = shell("");
  request.executable = not_executable.string();
  request.argv = {"plain.txt"};
  started = spawn_process(request);
  EXPECT_LE(started.pid, 0);
  EXPECT_EQ(started.failed_stage, spawn_stage::exec);
  EXPECT_EQ(started.error, EACCES);
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "a child that never became the command was left unreaped";
}

// Before: dtf told the guardian once spawn_process returned, so a runner
// thread descheduled there left the shell time to fork children that a dtf
// killed then left running.
TEST_F(process_spawn, the_child_tells_the_guardian_of_its_group_before_it_execs) {
  int channel[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, channel), 0);
  auto request = shell("exit 0");
  request.guardian_fd = channel[0];
  auto started = spawn_process(request);
  ASSERT_GT(started.pid, 0) << started.error;
  EXPECT_EQ(started.told_group, started.pid);
  EXPECT_EQ(started.guardian_error, 0);
  std::int32_t told = -1;
  EXPECT_EQ(::recv(channel[1], &told, sizeof told, MSG_DONTWAIT), static_cast<ssize_t>(sizeof told));
  EXPECT_EQ(told, started.pid);
  EXPECT_EQ(exit_code_of(started.pid), 0);

  // Told before execve: also by a child that then fails to exec.
  const auto not_executable = dir_ / "plain.txt";
  std::ofstream{not_executable} << "not a program\n";
  request.executable = not_executable.string();
  started = spawn_process(request);
  EXPECT_LE(started.pid, 0);
  EXPECT_GT(started.told_group, 0);
  EXPECT_EQ(::recv(channel[1], &told, sizeof told, MSG_DONTWAIT), static_cast<ssize_t>(sizeof told));
  EXPECT_EQ(told, started.told_group);

  // A guardian that does not read: the child does not wait, and says so.
  ::close(channel[1]);
  request.executable = "/bin/sh";
  started = spawn_process(request);
  ASSERT_GT(started.pid, 0) << started.error;
  EXPECT_EQ(started.guardian_error, EPIPE);
  EXPECT_EQ(exit_code_of(started.pid), 0);
  ::close(channel[0]);
}

/// This process's close_range fails with `error` from now on, as under a
/// container's seccomp profile or before Linux 5.9 (ENOSYS). For a forked child.
bool refuse_close_range(int error) {
  sock_filter program[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<unsigned>(error) & SECCOMP_RET_DATA)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog filter{.len = sizeof program / sizeof program[0], .filter = program};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) == 0;
}

// Before: the child failed on close_range's error, so every command failed
// to start ("Function not implemented") where the kernel refused it.
TEST_F(process_spawn, starts_with_no_other_descriptor_where_the_kernel_refuses_close_range) {
  for (int error : {ENOSYS, EPERM}) {
    ASSERT_EQ(::ftruncate(out_, 0), 0);
    ASSERT_EQ(::lseek(out_, 0, SEEK_SET), 0);
    const auto request = shell("ls /proc/self/fd | wc -l");
    const pid_t stand_in = ::fork();
    if (stand_in == 0) {
      for (int i = 0; i < 5; ++i) ::open("/dev/null", O_RDONLY);  // left open by some library
      if (!refuse_close_range(error)) ::_exit(90);
      if (::syscall(SYS_close_range, 1000, 1001, 0) == 0 || errno != error) ::_exit(91);
      const auto started = spawn_process(request);
      if (started.pid <= 0) ::_exit(started.error == error ? 92 : 93);
      ::_exit(exit_code_of(started.pid));
    }
    const int code = exit_code_of(stand_in);
    if (code == 90) GTEST_SKIP() << "no seccomp filter here";
    ASSERT_NE(code, 92) << "the start failed with close_range's error " << error;
    EXPECT_EQ(code, 0) << error;
    int descriptors = -1;
    std::ifstream{dir_ / "out"} >> descriptors;
    EXPECT_EQ(descriptors, 4) << error;  // 0, 1, 2 and ls's own directory
  }
}

// The child is bound to the life of the process that started it: a stand-in
// for dtf starts `sleep 300` and is killed outright; the sleep goes with it.
TEST_F(process_spawn, a_command_dies_with_the_process_that_started_it_even_when_that_is_killed_outright) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const auto request = shell("exec sleep 300");
  const pid_t stand_in = ::fork();
  if (stand_in == 0) {
    const pid_t command = spawn_process(request).pid;
    if (::write(report[1], &command, sizeof command) != static_cast<ssize_t>(sizeof command)) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(report[1]);
  pid_t command = -1;
  ASSERT_EQ(::read(report[0], &command, sizeof command), static_cast<ssize_t>(sizeof command));
  ::close(report[0]);
  ASSERT_GT(command, 0);
  EXPECT_TRUE(process_running(command));
  ::kill(stand_in, SIGKILL);
  ::waitpid(stand_in, nullptr, 0);
  EXPECT_TRUE(eventually([&] { return !process_running(command); })) << "the command outlived its killed parent";
  ::kill(command, SIGKILL);  // whatever a failure left
  ::waitpid(command, nullptr, WNOHANG);
}

} // namespace
} // namespace dtf
