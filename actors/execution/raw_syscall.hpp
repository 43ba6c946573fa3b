#pragma once
// System calls made directly, for a child between clone or fork and exec:
// no sanitizer interceptor (which may take a lock another thread of dtf held
// at the fork) and no libc wrapper touches dtf's state. CAF-free.
#include <cerrno>
#include <csignal>
#include <cstdint>

#include <sys/syscall.h>
#include <unistd.h>

namespace dtf {

/// A raw system call's result: >= 0, or -errno (read at once: in a clone
/// child errno is the suspended parent thread's).
template <class... Args>
[[gnu::no_sanitize_address]] inline long raw(long number, Args... args) noexcept {
  const long result = ::syscall(number, args...);
  return result < 0 ? -errno : result;
}

/// Ends the process at once: no atexit handler, no stream flushed.
[[noreturn, gnu::no_sanitize_address]] inline void exit_now(int code) noexcept {
  for (;;) ::syscall(SYS_exit_group, code);
}

/// The kernel's signal set (64 signals), as rt_sigaction and rt_sigprocmask take it.
using kernel_sigset = std::uint64_t;

/// Every signal at its default disposition: the kernel's sigaction all zero
/// (SIG_DFL, no flags, an empty mask). SIGKILL and SIGSTOP refuse (EINVAL).
[[gnu::no_sanitize_address]] inline void default_signal_dispositions() noexcept {
  const std::uint64_t default_action[4] = {};  // handler, flags, restorer, mask
  for (int sig = 1; sig < NSIG; ++sig) raw(SYS_rt_sigaction, sig, default_action, nullptr, sizeof(kernel_sigset));
}

/// No signal blocked.
[[gnu::no_sanitize_address]] inline void unblock_all_signals() noexcept {
  const kernel_sigset no_signals = 0;
  raw(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, nullptr, sizeof no_signals);
}

} // namespace dtf
