#pragma once
// Reading the process tree from /proc: which processes descend from which,
// and which belong to one command attempt (they carry its DTF_ATTEMPT_KEY in
// their environment, even after leaving its process group). CAF-free.
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

namespace dtf {

/// Every live descendant of `pid` (from the parent ids in /proc/<pid>/stat),
/// parents before their children, leaving out the processes in `left_out`
/// and all below them. Empty when /proc cannot be read.
std::vector<pid_t> descendants_of(pid_t pid, const std::set<pid_t>& left_out = {});

/// The children of this process's main thread, from
/// /proc/self/task/<pid>/children: those it started itself, and every orphan
/// re-parented to this process as a child subreaper (Linux hands an orphan to
/// the first live thread of the subreaper, its main thread, which dtf never
/// ends early). Nullopt where the kernel does not list children.
std::optional<std::vector<pid_t>> children_of_main_thread();

/// Whether the process's environment holds exactly `entry` ("KEY=value");
/// nullopt while it reads empty: a process in the middle of an execve (its
/// old image is gone, and the kernel copies the environment into the new one
/// last) holds the entry again a moment later, one with an empty environment
/// never does. False when it cannot be read (gone, a zombie, another user's).
std::optional<bool> environment_holds(pid_t pid, const std::string& entry);

/// SIGKILL to every descendant of this process whose environment holds
/// `entry`, repeated until none is left, and reaps those re-parented to this
/// process (it is a child subreaper, so orphans of a command come here, even
/// after setsid or a double fork). The processes in `left_out` and all below
/// them are not looked at (commands still running: what an ended command left
/// behind comes to this process, never below another command). A process
/// caught in the middle of an execve is asked again until it can tell (one
/// that reads empty for 250 ms is taken for an empty environment). Gives up
/// after `give_up_after_s`. Returns how many processes it killed. A process
/// that cleared its environment is not found (a cgroup per task would be;
/// not used).
std::size_t end_descendants_with(const std::string& entry, const std::set<pid_t>& left_out = {},
                                 double give_up_after_s = 2.0);

} // namespace dtf
