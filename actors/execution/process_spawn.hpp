#pragma once
// Starting one command's process without forking dtf: posix_spawn, which glibc
// implements with clone(CLONE_VM | CLONE_VFORK), so starting costs the same
// whatever dtf's memory size and thread count (fork copied page tables and
// sent TLB shootdowns to every core that ran one of dtf's threads). CAF-free.
//
// The child gets: its own process group (it is the leader), an empty signal
// mask and default dispositions, stdin/stdout/stderr from the given
// descriptors and no other descriptor of dtf, the working directory, and the
// CPU binding, which posix_spawn has no attribute for: the calling thread
// binds itself, spawns (a child inherits its creating thread's affinity, so
// the command is bound before its first instruction) and restores its own.
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
};

/// Where starting failed, for the message: binding to the CPUs, entering the
/// working directory, or the rest (descriptors, execve), which posix_spawn
/// reports as one errno.
enum class spawn_stage { affinity, chdir, exec };

struct process_spawn_result {
  pid_t pid = -1;  // > 0: started (execve succeeded)
  spawn_stage failed_stage = spawn_stage::exec;
  int error = 0;   // errno value when pid <= 0
};

/// Thread-safe; changes nothing of the calling thread that it does not restore.
process_spawn_result spawn_process(const process_spawn_request& request);

} // namespace dtf
