#pragma once
// Reading the process tree from /proc: which processes descend from which,
// and which belong to one command attempt (they carry its DTF_ATTEMPT_KEY in
// their environment, even after leaving its process group). CAF-free.
#include <string>
#include <vector>

#include <sys/types.h>

namespace dtf {

/// Every live descendant of `pid` (from the parent ids in /proc/<pid>/stat),
/// parents before their children. Empty when /proc cannot be read.
std::vector<pid_t> descendants_of(pid_t pid);

/// Whether the process's environment holds exactly `entry` ("KEY=value").
/// False when it cannot be read (gone, another user's).
bool environment_has(pid_t pid, const std::string& entry);

} // namespace dtf
