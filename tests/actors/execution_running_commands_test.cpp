// The registry of running commands and the orphans re-parented to dtf, as
// run_command uses them to know, without walking every descendant, that no
// ended command left a process behind.
#include "actors/execution/command_guardian.hpp"
#include "actors/execution/process_tree.hpp"
#include "actors/execution/running_commands.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dtf {
namespace {

/// Starts `sh -c script`; the parent is the calling thread.
pid_t start_shell(const std::string& script) {
  std::string sh = "/bin/sh", dash_c = "-c", text = script;
  char* argv[] = {sh.data(), dash_c.data(), text.data(), nullptr};
  pid_t pid = -1;
  if (::posix_spawn(&pid, sh.c_str(), nullptr, nullptr, argv, environ) != 0) return -1;
  return pid;
}

bool listed_below_main_thread(pid_t pid) {
  const auto children = children_of_main_thread();
  return children && std::find(children->begin(), children->end(), pid) != children->end();
}

void end_child(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST(running_commands, a_child_of_the_main_thread_that_is_no_registered_command_counts_as_adopted) {
  if (!children_of_main_thread()) GTEST_SKIP() << "this kernel does not list children (CONFIG_PROC_CHILDREN)";
  EXPECT_TRUE(no_orphans_adopted()) << "the test process started with a child";
  const pid_t child = start_shell("exec sleep 300");
  ASSERT_GT(child, 0);
  EXPECT_TRUE(listed_below_main_thread(child));
  EXPECT_FALSE(no_orphans_adopted()) << "an unknown child was taken for a command";
  register_running_command(child);
  EXPECT_TRUE(no_orphans_adopted()) << "a registered command was taken for an orphan";
  unregister_running_command(child);
  EXPECT_FALSE(no_orphans_adopted());
  end_child(child);
  EXPECT_TRUE(no_orphans_adopted()) << "a reaped child is still listed";
}

// dtf's commands are started by runner threads; what they leave behind when
// they end comes to the main thread, where no_orphans_adopted looks.
TEST(running_commands, an_orphan_of_a_command_started_by_another_thread_comes_to_the_main_thread) {
  if (!children_of_main_thread()) GTEST_SKIP() << "this kernel does not list children (CONFIG_PROC_CHILDREN)";
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  const auto pid_file = std::filesystem::temp_directory_path() / ("dtf-orphan-" + std::to_string(::getpid()));
  std::filesystem::remove(pid_file);
  std::thread runner{[&] {
    const pid_t command = start_shell("sleep 300 & echo $! > " + pid_file.string());
    ASSERT_GT(command, 0);
    register_running_command(command);
    ::waitpid(command, nullptr, 0);
    unregister_running_command(command);
  }};
  runner.join();
  pid_t orphan = -1;
  std::ifstream{pid_file} >> orphan;
  std::filesystem::remove(pid_file);
  ASSERT_GT(orphan, 0);
  EXPECT_TRUE(listed_below_main_thread(orphan));
  EXPECT_FALSE(no_orphans_adopted()) << "the orphan was not seen";
  end_child(orphan);
  EXPECT_TRUE(no_orphans_adopted());
}

// Where this process was a subreaper before it started the command guardian,
// or is a fork of one that was, the guardian is re-parented to it: no orphan
// of a command (before: taken for one, so that every command's end walked
// every descendant of dtf).
TEST(running_commands, the_command_guardian_adopted_by_a_subreaper_is_no_orphan) {
  if (!children_of_main_thread()) GTEST_SKIP() << "this kernel does not list children (CONFIG_PROC_CHILDREN)";
  const pid_t stand_in = ::fork();
  if (stand_in == 0) {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) ::_exit(1);
    start_command_guardian_once();
    const pid_t guardian = command_guardian_pid();
    if (guardian <= 0) ::_exit(2);
    const int code = !listed_below_main_thread(guardian) ? 3 : no_orphans_adopted() ? 0 : 4;
    ::kill(guardian, SIGKILL);  // its child: reaped here, never left to the test's process
    ::waitpid(guardian, nullptr, 0);
    ::_exit(code);
  }
  ASSERT_GT(stand_in, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(stand_in, &status, 0), stand_in);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
    << "1: no subreaper; 2: no guardian; 3: the guardian was not adopted; 4: it was taken for an orphan";
}

} // namespace
} // namespace dtf
