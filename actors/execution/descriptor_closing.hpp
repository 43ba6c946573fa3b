#pragma once
// Closing every descriptor of a process but a few, in a child between clone
// or fork and exec: async-signal-safe, raw system calls only (no sanitizer
// interceptor or libc wrapper), nothing allocated, not instrumented. CAF-free.
namespace dtf {

/// Closes every descriptor >= lowest except `keep` (-1: none): close_range,
/// or, where the kernel refuses it (ENOSYS before Linux 5.9, EPERM or ENOSYS
/// under a seccomp profile), each descriptor listed in /proc/self/fd, as
/// glibc's closefrom falls back. Returns 0, or -errno of the fallback.
long close_descriptors_from(int lowest, int keep = -1) noexcept;

/// The fallback alone: each descriptor >= lowest listed in /proc/self/fd
/// but `keep` and the listing's own. Returns 0, or -errno (/proc unreadable).
long close_listed_descriptors_from(int lowest, int keep = -1) noexcept;

} // namespace dtf
