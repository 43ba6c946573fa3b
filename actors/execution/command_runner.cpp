#include "actors/execution/command_runner.hpp"
#include "actors/execution/captured_stream.hpp"
#include "actors/execution/command_guardian.hpp"
#include "actors/execution/process_spawn.hpp"
#include "actors/execution/process_tree.hpp"
#include "actors/execution/running_commands.hpp"
#include "hw/cpu_binding.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dtf {
namespace {

using steady_clock = std::chrono::steady_clock;
using seconds_d = std::chrono::duration<double>;

constexpr std::size_t stderr_tail_bytes = 2048;
// How often a running command checks its cancel token and how long, once the
// group is gone, pipes held by escaped processes (setsid) are still drained.
constexpr auto cancel_check_interval = std::chrono::milliseconds(50);
constexpr auto group_poll_interval = std::chrono::milliseconds(10);
constexpr auto escaped_pipe_drain = std::chrono::milliseconds(100);
// After SIGKILL the group is normally gone within milliseconds; this bounds the
// wait for processes stuck in uninterruptible sleep.
constexpr auto after_kill_give_up = std::chrono::seconds(5);

double unix_now_s() {
  return seconds_d(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", seconds);
  return buffer;
}

std::string errno_text(int error) { return std::generic_category().message(error); }

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

/// Task ids come from users; file names must not climb directories, and two
/// ids must not share files: when sanitizing changed the id (or it was too
/// long for a file name), a hash of the whole id follows ("a$b" -> "a_b-<8 hex>",
/// while "a_b" stays "a_b").
std::string file_stem_for(const std::string& task_id) {
  constexpr std::size_t max_stem_bytes = 120;  // room for ".<attempt>.stdout" under NAME_MAX
  std::string stem = task_id;
  for (auto& c : stem)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  bool changed = stem != task_id;
  if (stem.empty() || stem == "." || stem == "..") {
    stem = "task" + stem;
    changed = true;
  }
  if (stem.size() > max_stem_bytes) {
    stem.resize(max_stem_bytes);
    changed = true;
  }
  if (!changed) return stem;
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bit
  for (unsigned char c : task_id) hash = (hash ^ c) * 1099511628211ull;
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "-%08x", static_cast<unsigned>(hash ^ (hash >> 32)));
  return stem + suffix;
}

/// Marks every process of one attempt, in its environment: descendants that
/// leave the process group keep it, so they can be found and ended.
std::string next_attempt_key() {
  static std::atomic<std::uint64_t> serial{0};
  return std::to_string(::getpid()) + "." + std::to_string(++serial);
}

class unique_fd {
public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

struct pipe_pair {
  unique_fd read_end, write_end;
};

std::optional<pipe_pair> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return pipe_pair{unique_fd{fds[0]}, unique_fd{fds[1]}};
}

/// The child dup2()s its descriptors onto 0, 1 and 2; one that is itself one
/// of those numbers (a parent with closed stdio) would be clobbered first.
bool lift_above_stdio(unique_fd& fd) {
  if (fd.get() > 2) return true;
  int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) return false;
  fd.reset(lifted);
  return true;
}

/// Orphaned grandchildren get reparented to us instead of init, so they can be
/// reaped by waitpid(-pgid) and never linger as zombies that keep a group alive.
void become_child_subreaper_once() {
  static std::once_flag once;
  std::call_once(once, [] { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); });
}

std::map<std::string, std::string> child_environment(const run_request& request, const std::string& attempt_key) {
  std::map<std::string, std::string> env;
  // Reading environ races with a concurrent setenv elsewhere in the process;
  // nothing in dtf calls setenv after start-up.
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view kv{*entry};
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));  // first wins, as getenv
  }
  for (const auto& [key, value] : request.t.env) env[key] = value;
  const auto& worker = request.worker;
  std::string index = !worker.visible_device.empty() ? worker.visible_device
                      : worker.device_index >= 0  ? std::to_string(worker.device_index)
                                                  : std::string{};
  switch (worker.kind) {
    case device_kind::cpu: env["CUDA_VISIBLE_DEVICES"] = ""; break;
    case device_kind::cuda:
      if (!index.empty()) env["CUDA_VISIBLE_DEVICES"] = index;
      break;
    case device_kind::rocm:
      if (!index.empty()) {
        env["HIP_VISIBLE_DEVICES"] = index;
        env["ROCR_VISIBLE_DEVICES"] = index;
      }
      break;
  }
  env["DTF_TASK_ID"] = request.t.id;
  env["DTF_WORKER_ID"] = worker.id;
  env["DTF_ATTEMPT"] = std::to_string(request.attempt);
  env["DTF_ATTEMPT_KEY"] = attempt_key;
  return env;
}

/// The path to execve: argv[0] itself when it has a '/', else the first
/// executable regular file on the child's PATH. Relative candidates are checked
/// against the working directory the child will chdir to.
std::optional<std::string> resolve_executable(const std::string& name, const std::map<std::string, std::string>& env,
                                              const std::string& working_directory, int& error) {
  if (name.find('/') != std::string::npos) return name;
  error = ENOENT;
  if (name.empty()) return std::nullopt;
  auto path_entry = env.find("PATH");
  std::string_view path = path_entry != env.end() ? std::string_view{path_entry->second} : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = path.find(':');
    std::string dir{path.substr(0, colon)};
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    std::string checked = candidate;
    if (candidate.front() != '/' && !working_directory.empty()) checked = working_directory + "/" + candidate;
    struct stat info {};
    if (::stat(checked.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      if (::access(checked.c_str(), X_OK) == 0) return candidate;
      error = EACCES;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
}

std::string start_failure_message(spawn_stage stage, int error, const run_request& request) {
  const auto& argv0 = request.t.command.front();
  switch (stage) {
    case spawn_stage::affinity:
      return "failed to start '" + argv0 + "': cannot bind to cpuset '" + request.worker.cpuset + "': " + errno_text(error);
    case spawn_stage::chdir:
      return "failed to start '" + argv0 + "': cannot enter working directory '" + request.t.working_directory +
             "': " + errno_text(error);
    case spawn_stage::exec: return "failed to start '" + argv0 + "': " + errno_text(error);
  }
  return "failed to start '" + argv0 + "'";
}

/// Reads what is available without blocking; returns false at end of stream.
bool read_available(int fd, captured_stream& stream) {
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    auto n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      stream.consume({buffer.data(), static_cast<std::size_t>(n)});
      if (static_cast<std::size_t>(n) < buffer.size()) return true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

steady_clock::time_point after(steady_clock::time_point from, double seconds) {
  seconds = std::clamp(std::isnan(seconds) ? 0.0 : seconds, 0.0, 1e7);
  return from + std::chrono::duration_cast<steady_clock::duration>(seconds_d(seconds));
}

int poll_timeout_ms(steady_clock::time_point now, steady_clock::time_point until) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 1000));
}

/// The part of run_command after a successful start: pump output, watch the
/// clock and the token, end the group, reap everything.
class process_group_supervisor {
public:
  process_group_supervisor(pid_t leader, const run_request& request, const cancel_token& token,
                           steady_clock::time_point start)
      : leader_(leader), request_(request), token_(token) {
    pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, leader, 0U)));  // -1 on old kernels: ticks instead
    if (request.t.timeout_s > 0 && std::isfinite(request.t.timeout_s)) deadline_ = after(start, request.t.timeout_s);
  }

  /// Returns the final status decided by the clock or token (nullopt: by the exit status).
  std::optional<task_status> supervise(unique_fd stdout_fd, unique_fd stderr_fd, captured_stream& out,
                                       captured_stream& err) {
    for (;;) {
      auto now = steady_clock::now();
      if (phase_ == phase::running && !leader_status_ && !leader_lost_) {
        if (token_.cancelled()) terminate(now, task_status::cancelled);
        else if (deadline_ && now >= *deadline_) terminate(now, task_status::timed_out);
      }
      if (phase_ == phase::terminating && now >= kill_at_) {
        ::kill(-leader_, SIGKILL);
        phase_ = phase::killing;
        give_up_at_ = now + after_kill_give_up;
      }
      reap_group();
      bool leader_done = leader_status_ || leader_lost_;
      bool group_gone = false;
      if (leader_done) {
        group_gone = ::kill(-leader_, 0) == -1 && errno == ESRCH;
        // A normal exit leaves nothing behind either: background children end too.
        if (!group_gone && phase_ == phase::running) terminate(now, std::nullopt);
      }
      if (group_gone) {
        if (!stdout_fd && !stderr_fd) break;
        if (!drain_until_) drain_until_ = now + escaped_pipe_drain;
        if (now >= *drain_until_) break;
      }
      if (phase_ == phase::killing && now >= give_up_at_) {
        survivors_ = true;
        break;
      }

      auto wake = now + cancel_check_interval;
      if (deadline_ && phase_ == phase::running) wake = std::min(wake, *deadline_);
      if (phase_ == phase::terminating) wake = std::min(wake, kill_at_);
      // Nothing signals the exit of group members other than the leader.
      if (leader_done || phase_ != phase::running || !pidfd_) wake = std::min(wake, now + group_poll_interval);

      std::array<pollfd, 3> fds{};
      nfds_t count = 0;
      int out_index = -1, err_index = -1;
      if (stdout_fd) out_index = static_cast<int>(count), fds[count++] = {stdout_fd.get(), POLLIN, 0};
      if (stderr_fd) err_index = static_cast<int>(count), fds[count++] = {stderr_fd.get(), POLLIN, 0};
      if (pidfd_ && !leader_done) fds[count++] = {pidfd_.get(), POLLIN, 0};
      int ready = ::poll(fds.data(), count, poll_timeout_ms(now, wake));
      if (ready <= 0) continue;  // timeout or EINTR
      if (out_index >= 0 && fds[out_index].revents != 0 && !read_available(stdout_fd.get(), out)) stdout_fd.reset();
      if (err_index >= 0 && fds[err_index].revents != 0 && !read_available(stderr_fd.get(), err)) stderr_fd.reset();
    }
    return forced_status_;
  }

  std::optional<int> leader_status() const { return leader_status_; }
  bool leader_lost() const { return leader_lost_; }
  bool survivors() const { return survivors_; }

private:
  enum class phase { running, terminating, killing };

  void terminate(steady_clock::time_point now, std::optional<task_status> why) {
    forced_status_ = why;
    ::kill(-leader_, SIGTERM);
    phase_ = phase::terminating;
    kill_at_ = after(now, request_.kill_grace_s);
  }

  /// Reaps the leader and any orphaned member reparented to us (we are a subreaper).
  void reap_group() {
    for (;;) {
      int status = 0;
      pid_t reaped = ::waitpid(-leader_, &status, WNOHANG);
      if (reaped == leader_) leader_status_ = status;
      if (reaped > 0) continue;
      // ECHILD before we saw the leader: someone else reaped it (SIGCHLD ignored).
      if (reaped < 0 && errno == ECHILD && !leader_status_) leader_lost_ = true;
      return;
    }
  }

  pid_t leader_;
  const run_request& request_;
  const cancel_token& token_;
  unique_fd pidfd_;
  std::optional<steady_clock::time_point> deadline_, drain_until_;
  steady_clock::time_point kill_at_, give_up_at_;
  phase phase_ = phase::running;
  std::optional<task_status> forced_status_;
  std::optional<int> leader_status_;
  bool leader_lost_ = false;
  bool survivors_ = false;
};

/// A running command's group, known to kill_all_running_commands and, when
/// `guarded`, to the guardian, until the group is gone (this ends).
class command_registration {
public:
  command_registration(pid_t group, bool guarded) : group_{group}, guarded_{guarded} {
    try {
      register_running_command(group_);
    } catch (...) {
      forget();
      throw;
    }
  }
  ~command_registration() { forget(); }
  command_registration(const command_registration&) = delete;
  command_registration& operator=(const command_registration&) = delete;

private:
  void forget() const {
    unregister_running_command(group_);
    if (guarded_) release_process_group(group_);
  }

  pid_t group_;
  bool guarded_;
};

void finish_times(attempt_record& outcome, steady_clock::time_point start) {
  outcome.duration_s = std::max(0.0, seconds_d(steady_clock::now() - start).count());
  outcome.end_unix_s = outcome.start_unix_s + outcome.duration_s;
}

} // namespace

attempt_record run_command(const run_request& request, const cancel_token& token) {
  auto outcome = attempt_record_for(request.t, request.worker, request.attempt);
  outcome.start_unix_s = unix_now_s();
  auto start = steady_clock::now();
  auto failed_to_start = [&](std::string error) {
    outcome.status = task_status::failed;
    outcome.exit_code = -1;
    outcome.error = std::move(error);
    finish_times(outcome, start);
    return outcome;
  };
  if (request.t.command.empty()) return failed_to_start("failed to start: task '" + request.t.id + "' has no command");
  if (token.cancelled()) {
    outcome.status = task_status::cancelled;
    outcome.error = "cancelled before it started";
    finish_times(outcome, start);
    return outcome;
  }

  std::error_code ec;
  std::filesystem::create_directories(request.output_dir, ec);
  if (ec) return failed_to_start("cannot create output directory '" + request.output_dir.string() + "': " + ec.message());
  auto stem = file_stem_for(request.t.id) + "." + std::to_string(request.attempt);
  const auto stdout_path = request.output_dir / (stem + ".stdout");
  const auto stderr_path = request.output_dir / (stem + ".stderr");
  outcome.stdout_path = stdout_path.string();
  outcome.stderr_path = stderr_path.string();
  captured_stream out{{.cap_bytes = request.output_cap_bytes, .tail_bytes = 0, .scan_metrics = true}};
  captured_stream err{{.cap_bytes = request.output_cap_bytes, .tail_bytes = stderr_tail_bytes, .scan_metrics = false}};
  if (auto e = out.open(stdout_path); !e.empty()) return failed_to_start(e);
  if (auto e = err.open(stderr_path); !e.empty()) return failed_to_start(e);

  std::optional<hw::cpu_affinity> cpus;
  if (!request.worker.cpuset.empty()) {
    try {
      cpus = hw::cpu_affinity::from_cpuset(request.worker.cpuset);
    } catch (const std::invalid_argument&) {
      return failed_to_start("worker '" + request.worker.id + "' has an unreadable cpuset '" + request.worker.cpuset + "'");
    }
  }

  const auto attempt_key = next_attempt_key();
  auto env = child_environment(request, attempt_key);
  int resolve_error = 0;
  auto executable = resolve_executable(request.t.command.front(), env, request.t.working_directory, resolve_error);
  if (!executable) return failed_to_start("failed to start '" + request.t.command.front() + "': " + errno_text(resolve_error));

  auto stdout_pipe = make_pipe(), stderr_pipe = make_pipe();
  unique_fd dev_null{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
  if (!stdout_pipe || !stderr_pipe || !dev_null)
    return failed_to_start("failed to start '" + request.t.command.front() + "': " + errno_text(errno));
  for (auto* fd : {&dev_null, &stdout_pipe->write_end, &stderr_pipe->write_end})
    if (!lift_above_stdio(*fd)) return failed_to_start("failed to start: " + errno_text(errno));
  for (auto* fd : {&stdout_pipe->read_end, &stderr_pipe->read_end})
    ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);

  start_command_guardian_once();  // first: a subreaper would adopt it
  become_child_subreaper_once();
  process_spawn_request spawn;
  spawn.executable = std::move(*executable);
  spawn.argv = request.t.command;
  spawn.env.reserve(env.size());
  for (const auto& [key, value] : env) spawn.env.push_back(key + "=" + value);
  spawn.working_directory = request.t.working_directory;
  spawn.cpus = cpus ? &*cpus : nullptr;
  spawn.stdin_fd = dev_null.get();
  spawn.stdout_fd = stdout_pipe->write_end.get();
  spawn.stderr_fd = stderr_pipe->write_end.get();
  spawn.guardian_fd = guardian_channel_for_child();
  const auto started = spawn_process(spawn);
  dev_null.reset();
  stdout_pipe->write_end.reset();
  stderr_pipe->write_end.reset();
  // The child told the guardian of its group (dtf killed outright) before it
  // ran, or said why it could not.
  const bool guarded_by_child = started.guardian_error >= 0 && child_told_guardian(started.guardian_error);
  if (started.pid <= 0) {
    if (guarded_by_child) release_process_group(started.told_group);
    out.finish();
    err.finish();
    return failed_to_start(start_failure_message(started.failed_stage, started.error, request));
  }
  const pid_t pid = started.pid;

  // Known to the guardian (dtf killed outright) and to kill_all_running_commands
  // (a second Ctrl-C) while supervised, however supervising ends.
  std::optional<command_registration> registration;
  registration.emplace(pid, spawn.guardian_fd >= 0 ? guarded_by_child : guard_process_group(pid));
  process_group_supervisor supervisor{pid, request, token, start};
  const auto forced_status =
    supervisor.supervise(std::move(stdout_pipe->read_end), std::move(stderr_pipe->read_end), out, err);
  registration.reset();  // the group is gone
  // What left the group (setsid, a double fork) ends with the command too;
  // it came to this process, never below a command still running.
  const auto escaped = no_orphans_adopted()
                         ? std::size_t{0}
                         : end_descendants_with("DTF_ATTEMPT_KEY=" + attempt_key, running_command_groups());
  out.finish();
  err.finish();
  finish_times(outcome, start);

  outcome.metrics = out.metrics();
  outcome.stderr_tail = err.tail();
  outcome.stdout_bytes = out.bytes_seen();
  outcome.stderr_bytes = err.bytes_seen();
  outcome.output_truncated = out.truncated() || err.truncated();
  if (auto status = supervisor.leader_status()) {
    if (WIFEXITED(*status)) outcome.exit_code = WEXITSTATUS(*status);
    if (WIFSIGNALED(*status)) outcome.term_signal = WTERMSIG(*status);
  }
  if (forced_status) {
    outcome.status = *forced_status;
    outcome.error = *forced_status == task_status::cancelled
                        ? std::string("cancelled")
                        : "timed out after " + seconds_text(request.t.timeout_s) + " s";
  } else if (outcome.exit_code == 0) {
    outcome.status = task_status::succeeded;
  } else {
    outcome.status = task_status::failed;
    if (outcome.term_signal != 0) outcome.error = "terminated by " + signal_name(outcome.term_signal);
    else if (supervisor.leader_lost()) outcome.error = "exit status lost: the process was reaped elsewhere";
    else outcome.error = "exit code " + std::to_string(outcome.exit_code);
  }
  if (escaped > 0) {
    if (!outcome.error.empty()) outcome.error += "; ";
    outcome.error += "ended " + std::to_string(escaped) + " process(es) it left running outside its process group";
  }
  if (supervisor.survivors()) {
    if (!outcome.error.empty()) outcome.error += "; ";
    outcome.error += "processes of group " + std::to_string(pid) + " survived SIGKILL";
  }
  return outcome;
}

} // namespace dtf
