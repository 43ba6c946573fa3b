#pragma once
// Binding processes to a worker's cores.
//
// For a child between fork and exec only async-signal-safe calls are allowed,
// so the set is parsed in the parent (cpu_affinity::from_cpuset) and the child
// only calls apply_to_this_process(), which is a single sched_setaffinity.
//
//   auto affinity = dtf::hw::cpu_affinity::from_cpuset(worker.cpuset);   // parent
//   pid_t pid = fork();
//   if (pid == 0) { affinity.apply_to_this_process(); execvp(...); _exit(127); }
#include <sched.h>
#include <sys/types.h>

#include <cstddef>
#include <string_view>

namespace dtf::hw {

class cpu_affinity {
public:
  /// From an hwloc list string ("0-3,8,10-11", what worker_capability::cpuset
  /// holds). Throws std::invalid_argument for text that is not such a list,
  /// an empty list, or a CPU beyond CPU_SETSIZE.
  static cpu_affinity from_cpuset(std::string_view list);

  /// Binds the calling process (its calling thread, and what it execs) to
  /// the set. Async-signal-safe. Returns 0, or the errno value on failure.
  int apply_to_this_process() const noexcept;

  /// Binds another process. Returns 0, or the errno value on failure.
  int apply_to(pid_t pid) const noexcept;

  const cpu_set_t& cpus() const { return set_; }
  int count() const { return CPU_COUNT(&set_); }

private:
  cpu_set_t set_{};
};

/// The calling thread's current affinity as an hwloc list string ("0-3").
std::string_view current_affinity_list(char* buffer, std::size_t size) noexcept;

class topology;

/// Binds a whole process (every thread) to the cpuset through hwloc; `topo`
/// must be this machine's (topology::this_machine(), loaded once and
/// reused). Throws std::invalid_argument for a bad cpuset or a topology of
/// another machine, std::runtime_error when hwloc cannot bind.
void bind_process_with_hwloc(const topology& topo, pid_t pid, std::string_view cpuset);

} // namespace dtf::hw
