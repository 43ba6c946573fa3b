// The command guardian, with real processes: a forked stand-in for dtf
// starts the guardian and a command in a group of its own, tells the
// guardian about it, and is killed with SIGKILL. What the guardian still
// held is ended; what it was told to release is not touched.
#include "actors/execution/command_guardian.hpp"

#include "tests/cli/dtf_process.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dtf {
namespace {

using dtf::testing::eventually;
using dtf::testing::process_running;

/// Ends and reaps a process of the test's, where it is (or came to be) the
/// test's child: where the test's process is a subreaper (after command_runner
/// tests in one run of the binary), a stand-in's orphans come to it, and a
/// zombie left there fails a later test's check that nothing is left to reap.
/// Pass a process before the ones below it, which come here when it dies.
void end_process(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

/// Reaps what of the command's group, killed, came to the test's process
/// (its shell's mv, when the shell was killed before it reaped it). After
/// end_process of the command: its orphans come here as it dies.
void reap_group(pid_t group) {
  if (group <= 0) return;
  while (::waitpid(-group, nullptr, 0) > 0 || errno == EINTR) {
  }
}

struct stand_in_pids {
  pid_t stand_in = -1, guardian = -1, command = -1, grandchild = -1;
};

/// Forks a stand-in for dtf that starts the guardian and `sh -c 'sleep 300 &
/// ...; wait'` in a process group of its own, guards that group (and
/// releases it again when `release`), then waits to be killed. Returns the
/// pids, the grandchild's read from the file the shell writes.
stand_in_pids start_stand_in(const std::filesystem::path& grandchild_file, bool release) {
  std::filesystem::remove(grandchild_file);
  int report[2];
  if (::pipe(report) != 0) return {};
  stand_in_pids pids;
  pids.stand_in = ::fork();
  if (pids.stand_in == 0) {
    ::close(report[0]);
    start_command_guardian_once();
    std::string sh = "/bin/sh", dash_c = "-c",
                script = "sleep 300 & echo $! > " + grandchild_file.string() + ".tmp; mv " + grandchild_file.string() +
                         ".tmp " + grandchild_file.string() + "; wait";
    char* argv[] = {sh.data(), dash_c.data(), script.data(), nullptr};
    posix_spawnattr_t attributes;
    ::posix_spawnattr_init(&attributes);
    ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    ::posix_spawnattr_setpgroup(&attributes, 0);
    pid_t command = -1;
    if (::posix_spawn(&command, sh.c_str(), nullptr, &attributes, argv, environ) != 0) ::_exit(1);
    guard_process_group(command);
    if (release) release_process_group(command);
    const pid_t told[2] = {command_guardian_pid(), command};
    if (::write(report[1], told, sizeof told) != static_cast<ssize_t>(sizeof told)) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(report[1]);
  pid_t told[2] = {-1, -1};
  if (pids.stand_in > 0 && ::read(report[0], told, sizeof told) == static_cast<ssize_t>(sizeof told)) {
    pids.guardian = told[0];
    pids.command = told[1];
  }
  ::close(report[0]);
  if (pids.command > 0 && eventually([&] { return std::filesystem::exists(grandchild_file); }))
    std::ifstream{grandchild_file} >> pids.grandchild;
  std::filesystem::remove(grandchild_file);
  return pids;
}

void kill_stand_in(const stand_in_pids& pids) {
  ::kill(pids.stand_in, SIGKILL);
  ::waitpid(pids.stand_in, nullptr, 0);
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dtf-guardian-" + std::to_string(::getpid()) + "-" + name);
}

TEST(command_guardian, ends_a_guarded_group_with_its_grandchildren_when_its_process_is_killed_outright) {
  const auto pids = start_stand_in(temp_file("guarded"), false);
  ASSERT_GT(pids.guardian, 0) << "no guardian started";
  ASSERT_GT(pids.command, 0);
  ASSERT_GT(pids.grandchild, 0);
  EXPECT_TRUE(process_running(pids.guardian));
  kill_stand_in(pids);
  EXPECT_TRUE(eventually([&] { return !process_running(pids.command); })) << "the command outlived SIGKILL of dtf";
  EXPECT_TRUE(eventually([&] { return !process_running(pids.grandchild); }))
    << "the command's background child outlived SIGKILL of dtf";
  EXPECT_TRUE(eventually([&] { return !process_running(pids.guardian); })) << "the guardian stayed";
  for (pid_t pid : {pids.command, pids.grandchild, pids.guardian}) end_process(pid);
  reap_group(pids.command);
}

TEST(command_guardian, leaves_a_released_group_alone) {
  const auto pids = start_stand_in(temp_file("released"), true);
  ASSERT_GT(pids.guardian, 0) << "no guardian started";
  ASSERT_GT(pids.command, 0);
  ASSERT_GT(pids.grandchild, 0);
  kill_stand_in(pids);
  // Once the guardian is gone it has ended all it was going to end.
  EXPECT_TRUE(eventually([&] { return !process_running(pids.guardian); })) << "the guardian stayed";
  EXPECT_TRUE(process_running(pids.command)) << "a released group was killed";
  EXPECT_TRUE(process_running(pids.grandchild)) << "a released group was killed";
  ::kill(-pids.command, SIGKILL);
  for (pid_t pid : {pids.command, pids.grandchild, pids.guardian}) end_process(pid);
  reap_group(pids.command);
}

// Before: the fork inherited its parent's once-started guardian and told it,
// not one of its own, so killing the fork ended nothing (the test's second
// round with --gtest_repeat=2 failed).
TEST(command_guardian, a_fork_of_a_process_that_started_one_starts_its_own) {
  start_command_guardian_once();
  const pid_t parents = command_guardian_pid();
  ASSERT_GT(parents, 0);
  const auto pids = start_stand_in(temp_file("forked"), false);
  ASSERT_GT(pids.guardian, 0) << "no guardian started";
  EXPECT_NE(pids.guardian, parents) << "the fork told its parent's guardian";
  ASSERT_GT(pids.command, 0);
  ASSERT_GT(pids.grandchild, 0);
  kill_stand_in(pids);
  EXPECT_TRUE(eventually([&] { return !process_running(pids.command); })) << "the command outlived SIGKILL of dtf";
  EXPECT_TRUE(eventually([&] { return !process_running(pids.grandchild); }))
    << "the command's background child outlived SIGKILL of dtf";
  EXPECT_TRUE(process_running(parents)) << "the parent's guardian ended with the fork";
  for (pid_t pid : {pids.command, pids.grandchild, pids.guardian}) end_process(pid);
  reap_group(pids.command);
}

// Before: a send that waited on a stopped guardian stopped the runner thread
// for good once its socket's buffer was full (~139 commands: dtf stopped at
// [148/601] with the guardian SIGSTOPped).
TEST(command_guardian, never_waits_for_a_guardian_that_does_not_read) {
  constexpr int commands = 2000;
  int report[2];
  ASSERT_EQ(::pipe2(report, O_NONBLOCK), 0);
  const pid_t stand_in = ::fork();
  if (stand_in == 0) {
    ::close(report[0]);
    ::setpgid(0, 0);  // the group it guards is its own: the guardian kills nothing of the test's
    start_command_guardian_once();
    const pid_t stopped = command_guardian_pid();
    if (stopped <= 0 || ::kill(stopped, SIGSTOP) != 0) ::_exit(1);
    int guarded = 0;
    for (int i = 0; i < commands; ++i)
      if (guard_process_group(::getpid())) {
        ++guarded;
        release_process_group(::getpid());
      }
    const int told[3] = {stopped, guarded, static_cast<int>(unguarded_command_count())};
    if (::write(report[1], told, sizeof told) != static_cast<ssize_t>(sizeof told)) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(report[1]);
  int told[3] = {-1, -1, -1};
  const bool reported =
    eventually([&] { return ::read(report[0], told, sizeof told) == static_cast<ssize_t>(sizeof told); });
  ::close(report[0]);
  EXPECT_TRUE(reported) << "guarding waited for a guardian that does not read";
  EXPECT_GT(told[0], 0);
  EXPECT_GT(told[1], 0) << "nothing was guarded before the socket filled";
  EXPECT_LT(told[1], commands);
  EXPECT_EQ(told[1] + told[2], commands) << "a command neither guarded nor counted unguarded";
  ::kill(stand_in, SIGKILL);
  ::waitpid(stand_in, nullptr, 0);
  end_process(told[0]);
}

/// Runs `body` in a forked stand-in for dtf, in a process group of its own
/// (what it guards kills nothing of the test's), its stderr in `stderr_file`;
/// returns its exit code.
/// The stand-in is a subreaper: its guardian comes to it and is ended and
/// reaped there, never left to the test's process.
template <class Body>
int in_stand_in(const std::filesystem::path& stderr_file, Body body) {
  const pid_t stand_in = ::fork();
  if (stand_in == 0) {
    ::setpgid(0, 0);
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) ::_exit(91);
    const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err < 0 || ::dup2(err, 2) != 2) ::_exit(90);
    const int code = body();
    end_process(command_guardian_pid());
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(stand_in, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string text_of(const std::filesystem::path& file) {
  std::ifstream in{file};
  return {std::istreambuf_iterator<char>{in}, {}};
}

// Before: commands ran unguarded and nothing said so.
TEST(command_guardian, says_once_that_it_is_gone_and_counts_what_it_did_not_guard) {
  const auto err = temp_file("gone.err");
  const int code = in_stand_in(err, [] {
    start_command_guardian_once();
    if (!guard_process_group(::getpid())) return 1;
    release_process_group(::getpid());
    ::kill(command_guardian_pid(), SIGKILL);
    // Its socket closes when it has exited.
    bool guarded = true;
    for (int i = 0; i < 5000 && (guarded = guard_process_group(::getpid())); ++i) {
      release_process_group(::getpid());
      ::usleep(1000);
    }
    if (guarded) return 2;
    if (guard_process_group(::getpid())) return 3;
    return unguarded_command_count() == 2 ? 0 : 4;
  });
  EXPECT_EQ(code, 0);
  const auto said = text_of(err);
  std::filesystem::remove(err);
  EXPECT_NE(said.find("dtf: warning: the command guardian is gone"), std::string::npos) << said;
  EXPECT_EQ(said.find("warning", said.find("warning") + 1), std::string::npos) << "said more than once: " << said;
}

TEST(command_guardian, says_once_that_it_holds_no_more_groups) {
  const auto err = temp_file("full.err");
  const int code = in_stand_in(err, [] {
    start_command_guardian_once();
    // The guardian may fall behind (a full socket: not guarded, counted); retried until it holds them all,
    // giving it the core a while after each refusal (a loaded machine: a busy retry starved it).
    std::size_t held = 0;
    for (int tries = 0; held < max_guarded_groups && tries < 1000000; ++tries)
      if (guard_process_group(::getpid())) ++held;
      else ::usleep(100);
    if (held < max_guarded_groups) return 1;
    const auto before = unguarded_command_count();
    if (guard_process_group(::getpid()) || guard_process_group(::getpid())) return 2;
    return unguarded_command_count() == before + 2 ? 0 : 3;
  });
  EXPECT_EQ(code, 0);
  const auto said = text_of(err);
  std::filesystem::remove(err);
  EXPECT_NE(said.find("dtf: warning: more commands run at once than the command guardian holds"), std::string::npos)
    << said;
}

} // namespace
} // namespace dtf
