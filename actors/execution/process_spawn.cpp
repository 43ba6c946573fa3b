#include "actors/execution/process_spawn.hpp"
#include "actors/execution/descriptor_closing.hpp"
#include "actors/execution/raw_syscall.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dtf {
namespace {

/// The calling thread bound to a cpuset for as long as it lives, then as before.
class thread_affinity_scope {
public:
  /// Returns 0, or the errno value of the binding.
  int bind(const hw::cpu_affinity& cpus) {
    if (::sched_getaffinity(0, sizeof saved_, &saved_) != 0) return errno;
    if (int error = cpus.apply_to_this_process(); error != 0) return error;
    bound_ = true;
    return 0;
  }
  ~thread_affinity_scope() {
    if (bound_) ::sched_setaffinity(0, sizeof saved_, &saved_);
  }

private:
  cpu_set_t saved_{};
  bool bound_ = false;
};

std::vector<char*> null_terminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

/// Everything the child needs, prepared by the parent (the child allocates
/// nothing), and where the child reports why it could not exec.
struct child_plan {
  const char* executable;
  char* const* argv;
  char* const* envp;
  int directory_fd, stdin_fd, stdout_fd, stderr_fd, guardian_fd;
  pid_t parent;  // dtf's pid
  spawn_stage failed_stage = spawn_stage::exec;
  int error = 0;
  int guardian_error = -1;  // 0: told the guardian; its errno; -1: did not try
};

/// The child, between clone and execve: it shares dtf's memory (CLONE_VM)
/// while the calling thread is suspended (CLONE_VFORK), so it makes system
/// calls only (raw ones: no sanitizer interceptor or libc wrapper touches
/// dtf's state from here), writes nothing of dtf's but its plan, and is not
/// instrumented. It starts with every signal blocked (the parent blocked
/// them): no handler of dtf runs here.
[[noreturn, gnu::no_sanitize_address]] void child_failed(child_plan& plan, spawn_stage stage, long error) {
  plan.failed_stage = stage;
  plan.error = static_cast<int>(error);
  exit_now(127);
}

[[gnu::no_sanitize_address]] int start_child(void* argument) {
  auto& plan = *static_cast<child_plan*>(argument);
  // Dies with the thread that started it, which waits for the command to
  // end. Set before the check: a dtf killed before this line is seen there.
  if (long e = raw(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); e < 0) child_failed(plan, spawn_stage::exec, -e);
  if (raw(SYS_getppid) != plan.parent) child_failed(plan, spawn_stage::exec, ESRCH);
  // Every signal at its default and, just before execve, none blocked (dtf's
  // threads block or ignore some; a command starts clean).
  default_signal_dispositions();
  if (long e = raw(SYS_setpgid, 0, 0); e < 0) child_failed(plan, spawn_stage::exec, -e);
  if (plan.guardian_fd >= 0) {  // its group, told before the command runs: dtf may die any time after
    const std::int32_t group = static_cast<std::int32_t>(raw(SYS_getpid));
    const long sent = raw(SYS_sendto, plan.guardian_fd, &group, sizeof group, MSG_DONTWAIT | MSG_NOSIGNAL, nullptr, 0);
    plan.guardian_error = sent == static_cast<long>(sizeof group) ? 0 : sent < 0 ? static_cast<int>(-sent) : EMSGSIZE;
  }
  if (plan.directory_fd >= 0)
    if (long e = raw(SYS_fchdir, plan.directory_fd); e < 0) child_failed(plan, spawn_stage::chdir, -e);
  const int from[3] = {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd};
  for (int to = 0; to < 3; ++to)  // dup3 as dup2 (every from > 2, so never from == to)
    if (long e = raw(SYS_dup3, from[to], to, 0); e < 0) child_failed(plan, spawn_stage::exec, -e);
  // Descriptors other libraries opened without O_CLOEXEC stay out of the command
  // (close_range, or where the kernel refuses it, each one /proc/self/fd lists).
  if (long e = close_descriptors_from(3); e < 0) child_failed(plan, spawn_stage::exec, -e);
  unblock_all_signals();
  const long e = raw(SYS_execve, plan.executable, plan.argv, plan.envp);
  child_failed(plan, spawn_stage::exec, -e);
}

/// A stack for the children this thread starts, one at a time (the thread
/// waits until each execs), mapped on the thread's first start and kept for
/// its life: an unmap per start would interrupt every core running dtf's
/// threads (a TLB shootdown). The child uses a few KiB; a page below it is
/// left inaccessible, so an overflow faults instead of writing over whatever
/// is mapped there. A mapping that failed is tried again on the next start.
class child_stack {
public:
  static constexpr std::size_t size_bytes = 256 * 1024;
  child_stack() = default;
  ~child_stack() {
    if (base_ != MAP_FAILED) ::munmap(base_, guard_bytes() + size_bytes);
  }
  child_stack(const child_stack&) = delete;
  child_stack& operator=(const child_stack&) = delete;
  /// Maps the stack unless it is; false when it cannot be.
  bool map() {
    if (base_ != MAP_FAILED) return true;
    void* base = ::mmap(nullptr, guard_bytes() + size_bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return false;
    if (::mprotect(base, guard_bytes(), PROT_NONE) != 0) {
      ::munmap(base, guard_bytes() + size_bytes);
      return false;
    }
    base_ = base;
    return true;
  }
  void* top() const { return static_cast<char*>(base_) + guard_bytes() + size_bytes; }  // stacks grow down

private:
  static std::size_t guard_bytes() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }
  void* base_ = MAP_FAILED;
};

/// Every signal blocked on the calling thread for as long as it lives, glibc's
/// internal ones too (its set-id and cancellation signals, which
/// pthread_sigmask leaves alone; glibc's posix_spawn blocks them as well): the
/// child starts with this mask, so no handler runs in it before it resets them.
class all_signals_blocked {
public:
  all_signals_blocked() {
    const kernel_sigset all = ~kernel_sigset{0};
    raw(SYS_rt_sigprocmask, SIG_SETMASK, &all, &saved_, sizeof all);
  }
  ~all_signals_blocked() { raw(SYS_rt_sigprocmask, SIG_SETMASK, &saved_, nullptr, sizeof saved_); }

private:
  kernel_sigset saved_ = 0;
};

} // namespace

process_spawn_result spawn_process(const process_spawn_request& request) {
  process_spawn_result result;
  auto fail = [&result](spawn_stage stage, int error) {
    result.failed_stage = stage;
    result.error = error;
    return result;
  };
  int directory_fd = -1;
  if (!request.working_directory.empty()) {
    directory_fd = ::open(request.working_directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd < 0) return fail(spawn_stage::chdir, errno);
    if (::faccessat(directory_fd, ".", X_OK, AT_EACCESS) != 0) {
      const int error = errno;
      ::close(directory_fd);
      return fail(spawn_stage::chdir, error);
    }
  }
  struct close_directory {
    int fd;
    ~close_directory() {
      if (fd >= 0) ::close(fd);
    }
  } directory_guard{directory_fd};

  const auto argv = null_terminated(request.argv);
  const auto envp = null_terminated(request.env);
  child_plan plan{.executable = request.executable.c_str(),
                  .argv = argv.data(),
                  .envp = envp.data(),
                  .directory_fd = directory_fd,
                  .stdin_fd = request.stdin_fd,
                  .stdout_fd = request.stdout_fd,
                  .stderr_fd = request.stderr_fd,
                  .guardian_fd = request.guardian_fd,
                  // Through syscall(): its PLT entry resolved here, not by the dynamic linker in the child.
                  .parent = static_cast<pid_t>(raw(SYS_getpid))};
  thread_local child_stack stack;
  if (!stack.map()) return fail(spawn_stage::exec, ENOMEM);

  thread_affinity_scope affinity;
  if (request.cpus)
    if (int e = affinity.bind(*request.cpus)) return fail(spawn_stage::affinity, e);
  pid_t pid = -1;
  int clone_error = 0;
  {
    all_signals_blocked blocked;
    // As glibc's posix_spawn: the child shares dtf's memory until it execs,
    // and this thread waits until then, so starting costs the same whatever
    // dtf's size (a fork would copy its page tables).
    pid = ::clone(start_child, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
    if (pid < 0) clone_error = errno;
  }
  if (pid < 0) return fail(spawn_stage::exec, clone_error);
  if (plan.guardian_error >= 0) {
    result.told_group = pid;
    result.guardian_error = plan.guardian_error;
  }
  if (plan.error != 0) {
    // It never became the command: reap it here.
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return fail(plan.failed_stage, plan.error);
  }
  result.pid = pid;
  return result;
}

} // namespace dtf
