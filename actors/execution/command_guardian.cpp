#include "actors/execution/command_guardian.hpp"
#include "actors/execution/descriptor_closing.hpp"
#include "actors/execution/raw_syscall.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dtf {
namespace {

// One message per process group, a packet each (SOCK_SEQPACKET, so writers on
// several threads never interleave): > 0 guard it, < 0 release it.
using group_message = std::int32_t;

std::atomic<int> channel_fd{-1};    // dtf's end
std::atomic<pid_t> guardian{-1};
std::atomic<pid_t> started_by{0};   // the process that started (or tried to start) `guardian`

// The guardian's groups. Static, not on the stack: the guardian runs on a
// copy of whichever thread started it, whose stack size is not known here.
pid_t guarded_groups[max_guarded_groups];

/// /dev/null for stdio (dtf's stdout may be a pipe someone reads to its end),
/// `keep` moved above stdio, every other descriptor closed. Returns keep's number.
int keep_only(int keep) {
  const long moved = raw(SYS_fcntl, keep, F_DUPFD, 3);
  if (moved < 0) exit_now(1);
  const long null_fd = raw(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR, 0);
  for (int stdio = 0; stdio <= 2; ++stdio)
    if (null_fd >= 0 && null_fd != stdio) raw(SYS_dup3, null_fd, stdio, 0);
  close_descriptors_from(3, static_cast<int>(moved));  // close_range, or each one /proc/self/fd lists
  return static_cast<int>(moved);
}

/// The guardian's whole life. Raw system calls only: it is a fork of a
/// process with many threads, and a sanitizer's interceptor or a libc wrapper
/// may take a lock that another of dtf's threads held at the fork.
[[noreturn]] void guard(int channel) {
  raw(SYS_setsid);  // no terminal's Ctrl-C or hangup, no kill of dtf's process group reaches it
  raw(SYS_prctl, PR_SET_NAME, "dtf-guardian", 0, 0, 0);
  raw(SYS_chdir, "/");  // pins no mount
  default_signal_dispositions();  // dtf's handlers are not the guardian's
  unblock_all_signals();
  channel = keep_only(channel);
  std::size_t count = 0;
  for (;;) {
    group_message message = 0;
    const long n = raw(SYS_read, channel, &message, sizeof message);
    if (n == -EINTR) continue;
    if (n != static_cast<long>(sizeof message)) break;  // 0: dtf's end closed, dtf is gone
    if (message > 0) {
      if (count < max_guarded_groups) guarded_groups[count++] = message;
    } else {
      for (std::size_t i = 0; i < count; ++i)
        if (guarded_groups[i] == -message) {
          guarded_groups[i] = guarded_groups[--count];
          break;
        }
    }
  }
  for (std::size_t i = 0; i < count; ++i) raw(SYS_kill, -guarded_groups[i], SIGKILL);
  exit_now(0);
}

/// Returns the guardian's pid, or -1. `dtf_end` stays with dtf.
pid_t start_guardian(int dtf_end, int guardian_end) {
  // _Fork: no atfork handlers run, in the children or here; the children make
  // async-signal-safe calls only.
  const pid_t middle = ::_Fork();
  if (middle == 0) {
    raw(SYS_close, dtf_end);
    const pid_t started = ::_Fork();
    if (started == 0) guard(guardian_end);
    // Tell dtf who it is; the guardian is re-parented once this process exits.
    const group_message pid = started;
    const bool told =
      started > 0 && raw(SYS_sendto, guardian_end, &pid, sizeof pid, MSG_NOSIGNAL, nullptr, 0) == sizeof pid;
    exit_now(told ? 0 : 1);
  }
  ::close(guardian_end);
  if (middle < 0) return -1;
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  group_message pid = -1;
  while (::recv(dtf_end, &pid, sizeof pid, 0) < 0)
    if (errno != EINTR) return -1;
  return pid;
}

// Messages dtf sends without waiting: a guardian that does not read (stopped
// with SIGSTOP, in a frozen cgroup, under a debugger) fills the socket's
// buffer, and a send that waited for it would stop every runner thread.
std::mutex sending;                          // over starting, what follows, and the sends
std::vector<group_message> unsent_releases;  // in order; sent before anything else
std::size_t held = 0;                        // groups told and not released
bool gone = false;                           // the guardian was there and is not any more
std::atomic<std::size_t> unguarded{0};       // commands started without the guardian hearing of them

enum class send_result { sent, full, gone };

send_result send_now(int fd, group_message message) {
  for (;;) {
    if (::send(fd, &message, sizeof message, MSG_DONTWAIT | MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof message))
      return send_result::sent;
    if (errno == EINTR) continue;
    // A guardian that is gone (killed) is EPIPE here, never SIGPIPE.
    return errno == EAGAIN || errno == EWOULDBLOCK ? send_result::full : send_result::gone;
  }
}

/// Why a command was not guarded; each is said once on stderr.
enum class unguarded_reason { not_started, gone, not_reading, too_many, count };

/// Holds `sending`.
void count_unguarded(unguarded_reason why) {
  unguarded.fetch_add(1, std::memory_order_relaxed);
  static bool said[static_cast<int>(unguarded_reason::count)] = {};
  if (std::exchange(said[static_cast<int>(why)], true)) return;
  static const char* const text[] = {
    "the command guardian could not start",
    "the command guardian is gone (killed?)",
    "the command guardian does not read (stopped?)",
    "more commands run at once than the command guardian holds",
  };
  std::fprintf(stderr,
               "dtf: warning: %s: commands started while it is so are not guarded (were dtf killed outright, the "
               "processes they started would outlive it; the guardian holds %zu at once)\n",
               text[static_cast<int>(why)], max_guarded_groups);
}

/// dtf's end closed: the guardian is gone. Holds `sending`. The descriptor
/// stays open: a command's child may be sending on it (guardian_channel_for_child),
/// and its number, were it closed and reused, would be some other file's.
void forget_guardian() {
  unsent_releases.clear();
  held = 0;
  gone = true;
}

/// Sends the releases that waited, in order. Holds `sending`.
send_result send_unsent_releases(int fd) {
  std::size_t sent = 0;
  send_result result = send_result::sent;
  while (sent < unsent_releases.size() && (result = send_now(fd, unsent_releases[sent])) == send_result::sent) ++sent;
  unsent_releases.erase(unsent_releases.begin(), unsent_releases.begin() + static_cast<std::ptrdiff_t>(sent));
  held -= sent;
  if (result == send_result::gone) forget_guardian();
  return result;
}

/// dtf's end of the socket, where this process started the guardian (not a fork of it); -1: none.
int own_channel() {
  const int fd = channel_fd.load(std::memory_order_acquire);
  return fd >= 0 && !gone && started_by.load(std::memory_order_acquire) == ::getpid() ? fd : -1;
}

/// Tells the guardian of a group. Holds `sending`; the channel is this process's.
std::optional<unguarded_reason> tell_guardian(int fd, pid_t process_group) {
  // After the releases that wait: a group number reused is guarded, then released, in that order.
  send_result result = send_unsent_releases(fd);
  if (result == send_result::sent) {
    if (held >= max_guarded_groups) return unguarded_reason::too_many;
    result = send_now(fd, process_group);
  }
  switch (result) {
  case send_result::sent: ++held; return std::nullopt;
  case send_result::full: return unguarded_reason::not_reading;
  case send_result::gone: forget_guardian(); return unguarded_reason::gone;
  }
  return unguarded_reason::gone;
}

} // namespace

void start_command_guardian_once() {
  const pid_t self = ::getpid();
  if (started_by.load(std::memory_order_acquire) == self) return;
  std::lock_guard lock{sending};
  if (started_by.load(std::memory_order_relaxed) == self) return;
  // Not started, or started by the process this one is a fork of: that
  // guardian watches that process's end of the socket, not this one's.
  if (const int inherited = channel_fd.exchange(-1); inherited >= 0) ::close(inherited);
  guardian.store(-1);
  unsent_releases.clear();
  held = 0;
  gone = false;
  started_by.store(self, std::memory_order_release);
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return;
  const pid_t pid = start_guardian(fds[0], fds[1]);
  if (pid <= 0) {
    ::close(fds[0]);
    return;
  }
  guardian.store(pid);
  channel_fd.store(fds[0], std::memory_order_release);
}

pid_t command_guardian_pid() { return guardian.load(); }

bool guard_process_group(pid_t process_group) {
  if (process_group <= 0) return false;
  std::lock_guard lock{sending};
  if (started_by.load(std::memory_order_relaxed) != ::getpid()) return false;  // never started here
  const int fd = own_channel();
  const auto unguarded_because = fd < 0 ? (gone ? unguarded_reason::gone : unguarded_reason::not_started)
                                        : tell_guardian(fd, process_group);
  if (!unguarded_because) return true;
  count_unguarded(*unguarded_because);
  return false;
}

void release_process_group(pid_t process_group) {
  if (process_group <= 0) return;
  std::lock_guard lock{sending};
  const int fd = own_channel();
  if (fd < 0) return;
  // Kept until sent: a group the guardian held on to would be killed when dtf dies, whoever has its number by then.
  unsent_releases.push_back(-process_group);
  send_unsent_releases(fd);
}

int guardian_channel_for_child() {
  std::lock_guard lock{sending};
  const int fd = own_channel();
  if (fd < 0 || held >= max_guarded_groups) return -1;
  return send_unsent_releases(fd) == send_result::sent ? fd : -1;
}

bool child_told_guardian(int error) {
  std::lock_guard lock{sending};
  if (error == 0) {
    ++held;
    return true;
  }
  if (error == EAGAIN || error == EWOULDBLOCK) {
    count_unguarded(unguarded_reason::not_reading);
  } else {
    forget_guardian();
    count_unguarded(unguarded_reason::gone);
  }
  return false;
}

std::size_t unguarded_command_count() { return unguarded.load(std::memory_order_relaxed); }

} // namespace dtf
