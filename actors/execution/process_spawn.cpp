#include "actors/execution/process_spawn.hpp"

#include <cerrno>
#include <csignal>
#include <optional>

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
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

/// A posix_spawn attribute or file-action object, destroyed with its scope.
template <class T, int (*init)(T*), int (*destroy)(T*)>
class spawn_object {
public:
  spawn_object() { ok_ = init(&object_) == 0; }
  ~spawn_object() {
    if (ok_) destroy(&object_);
  }
  spawn_object(const spawn_object&) = delete;
  spawn_object& operator=(const spawn_object&) = delete;
  T* get() { return &object_; }
  bool ok() const { return ok_; }

private:
  T object_;
  bool ok_ = false;
};

using spawn_actions =
  spawn_object<posix_spawn_file_actions_t, ::posix_spawn_file_actions_init, ::posix_spawn_file_actions_destroy>;
using spawn_attributes = spawn_object<posix_spawnattr_t, ::posix_spawnattr_init, ::posix_spawnattr_destroy>;

std::vector<char*> null_terminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

/// Own process group, empty mask, every signal at its default (dtf's threads
/// block or ignore some; a command starts clean).
int set_attributes(spawn_attributes& attributes) {
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  if (int e = ::posix_spawnattr_setflags(attributes.get(),
                                          POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return e;
  if (int e = ::posix_spawnattr_setpgroup(attributes.get(), 0)) return e;
  if (int e = ::posix_spawnattr_setsigmask(attributes.get(), &none)) return e;
  return ::posix_spawnattr_setsigdefault(attributes.get(), &all);
}

/// Into the working directory (through a descriptor opened here, so that a
/// directory that is missing or not searchable is told apart from a failed
/// execve), the three standard streams, and nothing else of dtf's.
int set_file_actions(spawn_actions& actions, int directory_fd, const process_spawn_request& request) {
  if (directory_fd >= 0)
    if (int e = ::posix_spawn_file_actions_addfchdir_np(actions.get(), directory_fd)) return e;
  if (int e = ::posix_spawn_file_actions_adddup2(actions.get(), request.stdin_fd, 0)) return e;
  if (int e = ::posix_spawn_file_actions_adddup2(actions.get(), request.stdout_fd, 1)) return e;
  if (int e = ::posix_spawn_file_actions_adddup2(actions.get(), request.stderr_fd, 2)) return e;
  // Descriptors other libraries opened without O_CLOEXEC stay out of the command.
  return ::posix_spawn_file_actions_addclosefrom_np(actions.get(), 3);
}

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

  spawn_actions actions;
  spawn_attributes attributes;
  if (!actions.ok() || !attributes.ok()) return fail(spawn_stage::exec, ENOMEM);
  if (int e = set_attributes(attributes)) return fail(spawn_stage::exec, e);
  if (int e = set_file_actions(actions, directory_fd, request)) return fail(spawn_stage::exec, e);
  const auto argv = null_terminated(request.argv);
  const auto envp = null_terminated(request.env);

  thread_affinity_scope affinity;
  if (request.cpus)
    if (int e = affinity.bind(*request.cpus)) return fail(spawn_stage::affinity, e);
  pid_t pid = -1;
  if (int e = ::posix_spawn(&pid, request.executable.c_str(), actions.get(), attributes.get(), argv.data(), envp.data()))
    return fail(spawn_stage::exec, e);
  result.pid = pid;
  return result;
}

} // namespace dtf
