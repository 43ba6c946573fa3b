#include "actors/execution/descriptor_closing.hpp"
#include "actors/execution/raw_syscall.hpp"

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace dtf {
namespace {

/// The head of the kernel's struct linux_dirent64, as getdents64 writes it.
struct dirent64_head {
  std::uint64_t inode;
  std::int64_t offset;
  unsigned short record_bytes;
  unsigned char type;
};
constexpr std::size_t name_offset = offsetof(dirent64_head, type) + 1;

/// An entry's d_reclen, read byte by byte (no memcpy: an interceptor's).
[[gnu::no_sanitize_address]] unsigned short record_bytes_at(const char* entry) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(entry + offsetof(dirent64_head, record_bytes));
  return std::endian::native == std::endian::little ? static_cast<unsigned short>(bytes[0] | bytes[1] << 8)
                                                    : static_cast<unsigned short>(bytes[0] << 8 | bytes[1]);
}

/// The descriptor a /proc/self/fd entry names; -1 for "." and "..".
[[gnu::no_sanitize_address]] int descriptor_named(const char* name) noexcept {
  if (*name < '0' || *name > '9') return -1;
  int fd = 0;
  for (; *name >= '0' && *name <= '9'; ++name) fd = fd * 10 + (*name - '0');
  return fd;
}

} // namespace

[[gnu::no_sanitize_address]] long close_listed_descriptors_from(int lowest, int keep) noexcept {
  const long listing = raw(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (listing < 0) return listing;
  alignas(8) char buffer[1024];
  long error = 0;
  for (;;) {
    const long bytes = raw(SYS_getdents64, listing, buffer, sizeof buffer);
    if (bytes <= 0) {
      error = bytes < 0 ? bytes : 0;
      break;
    }
    bool closed = false;
    for (long at = 0; at < bytes;) {
      const unsigned short record_bytes = record_bytes_at(buffer + at);
      const int fd = descriptor_named(buffer + at + name_offset);
      at += record_bytes;
      if (fd < lowest || fd == keep || fd == listing) continue;
      raw(SYS_close, fd);  // EBADF, EINTR, EIO: released all the same
      closed = true;
    }
    // A listing read on after a close may skip entries: read it again from the start.
    if (closed)
      if (long e = raw(SYS_lseek, listing, 0, SEEK_SET); e != 0) {
        error = e < 0 ? e : -EIO;
        break;
      }
  }
  raw(SYS_close, listing);
  return error;
}

[[gnu::no_sanitize_address]] long close_descriptors_from(int lowest, int keep) noexcept {
  const auto from = static_cast<unsigned>(lowest);
  long refused = 0;
  if (keep < lowest) {
    refused = raw(SYS_close_range, from, ~0U, 0);
  } else {
    const auto kept = static_cast<unsigned>(keep);
    if (keep > lowest) refused = raw(SYS_close_range, from, kept - 1, 0);
    if (refused == 0 && kept != ~0U) refused = raw(SYS_close_range, kept + 1, ~0U, 0);
  }
  return refused < 0 ? close_listed_descriptors_from(lowest, keep) : 0;
}

} // namespace dtf
