#pragma once
// Starting one command's process without forking dtf: clone(CLONE_VM |
// CLONE_VFORK), as glibc implements posix_spawn, so starting costs the same
// whatever dtf's memory size and thread count (fork copied page tables and
// sent TLB shootdowns to every core that ran one of dtf's threads); unlike
// posix_spawn it lets the child set PR_SET_PDEATHSIG before it execs. CAF-free.
//
// The child gets: SIGKILL when the thread that started it ends, dtf's
// SIGKILL included (PR_SET_PDEATHSIG, then a check that dtf had not died
// before; it fires on that thread's end, not the process's, so the caller's
// thread must outlive the command, as run_command's does: it waits for the
// command's whole group to end; and it is not inherited by the command's own
// children: command_guardian.hpp ends those), its own process group (it is
// the leader), an empty signal mask and default dispositions, stdin/stdout/
// stderr from the given descriptors and no other descriptor of dtf, the
// working directory, and the CPU binding, which clone has no argument for:
// the calling thread binds itself, spawns (a child inherits its creating
// thread's affinity, so the command is bound before its first instruction)
// and restores its own.
#include "hw/cpu_binding.hpp"

#include <string>
#include <vector>

#include <sys/types.h>

namespace dtf {

struct process_spawn_request {
  std::string executable;          // the path to execve (already resolved against PATH)
  std::vector<std::string> argv;   // argv[0] first
  std::vector<std::string> env;    // "KEY=value", the whole environment
  std::string working_directory;   // empty: dtf's
  const hw::cpu_affinity* cpus = nullptr;  // nullptr: no binding
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  // each > 2
  // > 2: a socket (command_guardian's) the child sends its own process group
  // to, as a 32-bit number and without waiting, once it leads the group and
  // before it execs: the guardian hears of the group before the command runs.
  int guardian_fd = -1;
};

/// Where starting failed, for the message: binding to the CPUs, entering the
/// working directory, or the rest (descriptors, the process group, execve).
enum class spawn_stage { affinity, chdir, exec };

struct process_spawn_result {
  pid_t pid = -1;  // > 0: started (execve succeeded)
  spawn_stage failed_stage = spawn_stage::exec;
  int error = 0;   // errno value when pid <= 0
  // With a guardian_fd: the child's process group (its pid, also when it
  // failed to exec) and 0 when it told the guardian, or its send's errno.
  pid_t told_group = -1;
  int guardian_error = -1;
};

/// Thread-safe; changes nothing of the calling thread that it does not
/// restore. A child that fails before execve is reaped here (pid -1).
process_spawn_result spawn_process(const process_spawn_request& request);

} // namespace dtf
