#pragma once
// Every command dtf runs right now, by process group, so that an immediate
// exit (a second Ctrl-C) still ends them all. run_command registers each
// group for as long as it supervises it. CAF-free; thread-safe.
#include <set>

#include <sys/types.h>

namespace dtf {

void register_running_command(pid_t process_group);
void unregister_running_command(pid_t process_group);

/// The process groups registered now (each its leader's pid).
std::set<pid_t> running_command_groups();

/// Whether no orphan has come to this process: every child of its main
/// thread, where the kernel re-parents them (children_of_main_thread), is a
/// registered command or the command guardian (adopted where this process
/// was a subreaper before it started the guardian, or is a fork of one that
/// was: command_guardian.hpp). A process an ended command left outside its group
/// (setsid, a double fork) is such an orphan, or below one; so when none has
/// come, end_descendants_with has nothing to find and its walk of every
/// descendant's /proc entries is skipped. False where the kernel does not
/// list children.
bool no_orphans_adopted();

/// SIGKILL to every registered process group and to every descendant of this
/// process (commands' processes that left their group and were re-parented
/// here, the child subreaper). For the last moments before _exit: does not
/// wait and does not reap.
void kill_all_running_commands();

} // namespace dtf
