#pragma once
// A process of its own that ends dtf's running commands when dtf dies without
// ending them itself (SIGKILL, a crash, the OOM killer): dtf ends them on every
// other exit, but nothing of a process killed outright runs any more, and its
// commands would keep running while the coordinator re-runs their tasks
// elsewhere. CAF-free; thread-safe.
//
// The guardian is started once per process, on first use, by a double fork
// (so it is nobody's child in dtf, and dtf's waitpid and its lists of
// children never see it), in a session of its own with /dev/null for stdio
// and no other descriptor of dtf but its end of a socket pair. dtf tells it
// each command's process group as the command starts and again once the
// group is gone; when dtf's end closes (dtf is gone, however it ended), it
// sends SIGKILL to every group it still holds and exits. Between fork and its
// exit it makes async-signal-safe calls only.
//
// Covered: every process still in a command's process group (the command,
// the shell's children and background jobs). Not covered: processes that left
// the group (setsid, a double fork into a new session; dtf ends those only
// when the command ends while dtf runs), a command whose group was not told
// yet (dtf killed between the spawn and the message, microseconds), one
// started while the guardian did not read (stopped: dtf never waits for it),
// a guardian that was killed itself, and more than max_guarded_groups groups
// at once.
#include <cstddef>

#include <sys/types.h>

namespace dtf {

/// Groups the guardian holds at once; more are not guarded.
inline constexpr std::size_t max_guarded_groups = 16384;

/// Starts the guardian unless this process started one (or failed to) before;
/// a fork of a process that did starts its own (the parent's guardian watches
/// the parent's end of its socket, not the fork's).
/// Call before this process becomes a child subreaper: the guardian's parent
/// exits at once, and a subreaper would adopt the guardian as an orphan (where
/// this process was one already, or is a fork of one, the guardian is its
/// child or its subreaper's; no_orphans_adopted passes over it).
void start_command_guardian_once();

/// The guardian's process id; -1 when it was not started or could not start.
pid_t command_guardian_pid();

/// The guardian ends this process group if dtf dies before release_process_group;
/// true when it was told. Never waits: a guardian that does not read (stopped,
/// frozen, its socket's buffer full) is not told. A command not guarded (the
/// guardian could not start, is gone, does not read, or holds
/// max_guarded_groups already) is counted, and each reason is said once on stderr.
bool guard_process_group(pid_t process_group);

/// For spawn_process_request::guardian_fd: the socket a command's child tells
/// the guardian of its own group on, before it execs, so that no moment is
/// left in which dtf could die with the group untold (a shell that had forked
/// already would leave its children running); -1 where not now (no guardian
/// here, releases not sent yet, max_guarded_groups held): call
/// guard_process_group once the command started instead.
int guardian_channel_for_child();

/// What the child did with guardian_channel_for_child's socket, its send's
/// errno (0: told): true when the guardian holds the group (release it as
/// one guard_process_group told); otherwise counted and said as there.
bool child_told_guardian(int error);

/// The group is gone (reaped): the guardian forgets it, so that its number,
/// once reused, is never killed. Call only for a group guard_process_group
/// told. Never waits: a release the guardian does not read yet is sent before
/// the next message.
void release_process_group(pid_t process_group);

/// Commands not guarded in a process that started a guardian (guard_process_group false).
std::size_t unguarded_command_count();

} // namespace dtf
