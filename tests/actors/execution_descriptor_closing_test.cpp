// Closing every descriptor but one in a child, with close_range and with the
// fallback that reads /proc/self/fd (a kernel or seccomp profile refusing
// close_range). Each case runs in a forked child, whose descriptors it closes.
#include "actors/execution/descriptor_closing.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dtf {
namespace {

/// In a forked child: opens `count` descriptors (not close-on-exec), closes
/// from 3 but the middle one with `close`, and exits 0 when exactly that one
/// and stdio are left; otherwise 1 + how many others are open.
template <class Close>
int descriptors_left_by(Close close, int count) {
  const pid_t child = ::fork();
  if (child == 0) {
    int keep = -1;
    for (int i = 0; i < count; ++i) {
      const int fd = ::open("/dev/null", O_RDONLY);
      if (i == count / 2) keep = fd;
    }
    if (close(3, keep) != 0) ::_exit(100);
    int others = 0;
    for (int fd = 3; fd < 4096; ++fd)
      if (fd != keep && ::fcntl(fd, F_GETFD) != -1) ++others;
    const bool kept = ::fcntl(keep, F_GETFD) != -1;
    for (int stdio = 0; stdio <= 2; ++stdio)
      if (::fcntl(stdio, F_GETFD) == -1) ::_exit(101);
    ::_exit(!kept ? 102 : others == 0 ? 0 : 1 + others);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(descriptor_closing, closes_every_descriptor_from_the_lowest_but_the_one_kept) {
  EXPECT_EQ(descriptors_left_by(close_descriptors_from, 20), 0);
}

TEST(descriptor_closing, the_fallback_closes_each_descriptor_proc_lists_but_the_one_kept) {
  // More than one getdents64 buffer's worth: the listing is read again after closes.
  EXPECT_EQ(descriptors_left_by(close_listed_descriptors_from, 300), 0);
  EXPECT_EQ(descriptors_left_by(close_listed_descriptors_from, 3), 0);
}

} // namespace
} // namespace dtf
