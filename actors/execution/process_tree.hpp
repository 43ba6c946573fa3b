#pragma once
// Reading the process tree from /proc: which processes descend from which,
// and which belong to one command attempt (they carry its DTF_ATTEMPT_KEY in
// their environment, even after leaving its process group). CAF-free.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace dtf {

/// Every live descendant of `pid` (from the parent ids in /proc/<pid>/stat),
/// parents before their children. Empty when /proc cannot be read.
std::vector<pid_t> descendants_of(pid_t pid);

/// The children of this process's main thread, from
/// /proc/self/task/<pid>/children: those it started itself, and every orphan
/// re-parented to this process as a child subreaper (Linux hands an orphan to
/// the first live thread of the subreaper, its main thread, which dtf never
/// ends early). Nullopt where the kernel does not list children.
std::optional<std::vector<pid_t>> children_of_main_thread();

/// Whether the process's environment holds exactly `entry` ("KEY=value").
/// False when it cannot be read (gone, a zombie, another user's).
bool environment_has(pid_t pid, const std::string& entry);

/// SIGKILL to every descendant of this process whose environment holds
/// `entry`, repeated until none is left, and reaps those re-parented to this
/// process (it is a child subreaper, so orphans of a command come here, even
/// after setsid or a double fork). Gives up after `give_up_after_s`. Returns
/// how many processes it killed. A process that cleared its environment is
/// not found (a cgroup per task would be; not used).
std::size_t end_descendants_with(const std::string& entry, double give_up_after_s = 2.0);

} // namespace dtf
