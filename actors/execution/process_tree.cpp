#include "actors/execution/process_tree.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace dtf {

namespace {

/// The fields of /proc/<pid>/stat from the third (state) on, so field N of
/// proc(5) is at N - 3 ("pid (comm) state ppid ..."; comm may hold spaces and
/// parentheses, so split after the last ')'). Empty when it cannot be read.
std::vector<std::string> stat_fields(const std::filesystem::path& stat_file) {
  std::ifstream in{stat_file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  auto close = text.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest{text.substr(close + 1)};
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(std::move(field));
  return fields;
}

pid_t parent_of(const std::filesystem::path& stat_file) {
  const auto fields = stat_fields(stat_file);
  return fields.size() > 1 ? static_cast<pid_t>(std::atol(fields[1].c_str())) : -1;
}

/// Whether this kernel lists children in /proc/<pid>/task/<tid>/children
/// (CONFIG_PROC_CHILDREN); checked once, on our own main thread.
bool kernel_lists_children() {
  static const bool listed = std::filesystem::exists("/proc/self/task/" + std::to_string(::getpid()) + "/children");
  return listed;
}

/// Children of `pid` from /proc/<pid>/task/*/children (every thread's; a
/// thread that ended meanwhile is skipped: its children moved on anyway).
std::vector<pid_t> children_from_task_files(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator thread{"/proc/" + std::to_string(pid) + "/task", ec};
  std::vector<pid_t> out;  // empty when the process is gone
  // Threads come and go while we read: iterate without exceptions.
  for (; !ec && thread != std::filesystem::directory_iterator{}; thread.increment(ec)) {
    std::ifstream in{thread->path() / "children"};
    for (long child; in >> child;) out.push_back(static_cast<pid_t>(child));
  }
  return out;
}

/// Every process's parent, from one scan of /proc (the slow way).
std::multimap<pid_t, pid_t> children_by_parent() {
  std::multimap<pid_t, pid_t> children;
  std::error_code ec;
  std::filesystem::directory_iterator entry{"/proc", ec};
  for (; !ec && entry != std::filesystem::directory_iterator{}; entry.increment(ec)) {
    const auto name = entry->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t parent = parent_of(entry->path() / "stat");
    if (parent > 0) children.emplace(parent, static_cast<pid_t>(std::atol(name.c_str())));
  }
  return children;
}

/// How long an environment that reads empty is taken for an execve under way
/// (microseconds normally; an exec waiting for its binary's pages on a loaded disk, longer).
constexpr auto empty_environment_after = std::chrono::milliseconds(250);

} // namespace

std::vector<pid_t> descendants_of(pid_t pid, const std::set<pid_t>& left_out) {
  std::vector<pid_t> out;
  std::vector<pid_t> frontier{pid};
  std::optional<std::multimap<pid_t, pid_t>> scanned;  // only where the kernel lists no children
  if (!kernel_lists_children()) scanned = children_by_parent();
  while (!frontier.empty()) {
    const pid_t next = frontier.back();
    frontier.pop_back();
    std::vector<pid_t> children;
    if (scanned) {
      auto [first, last] = scanned->equal_range(next);
      for (auto i = first; i != last; ++i) children.push_back(i->second);
    } else {
      children = children_from_task_files(next);
    }
    for (pid_t child : children) {
      if (left_out.count(child)) continue;
      out.push_back(child);
      frontier.push_back(child);
    }
  }
  return out;
}

std::optional<std::vector<pid_t>> children_of_main_thread() {
  if (!kernel_lists_children()) return std::nullopt;
  std::ifstream in{"/proc/self/task/" + std::to_string(::getpid()) + "/children"};
  if (!in) return std::nullopt;
  std::vector<pid_t> out;
  for (long child; in >> child;) out.push_back(static_cast<pid_t>(child));
  return out;
}

std::optional<bool> environment_holds(pid_t pid, const std::string& entry) {
  const auto proc = std::filesystem::path{"/proc"} / std::to_string(pid);
  std::ifstream in{proc / "environ", std::ios::binary};
  if (!in) return false;
  bool read_any = false;
  for (std::string item; std::getline(in, item, '\0');) {
    if (item == entry) return true;
    read_any = true;
  }
  if (read_any) return false;
  // Empty: an execve under way (its old image is gone, its new one gets its
  // environment last), a zombie, or an empty environment.
  const auto fields = stat_fields(proc / "stat");
  if (fields.empty() || fields[0] == "Z" || fields[0] == "X") return false;
  return std::nullopt;
}

std::size_t end_descendants_with(const std::string& entry, const std::set<pid_t>& left_out, double give_up_after_s) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                            std::chrono::duration<double>(give_up_after_s));
  std::set<pid_t> unreaped;
  std::map<pid_t, std::chrono::steady_clock::time_point> undecided_since;
  std::size_t killed = 0;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    bool found = false, undecided = false;
    for (pid_t pid : descendants_of(::getpid(), left_out)) {
      const auto holds = environment_holds(pid, entry);
      if (!holds) {
        // Asked again next round; one that stays empty has an empty environment.
        const auto since = undecided_since.try_emplace(pid, now).first->second;
        undecided = undecided || now - since < empty_environment_after;
        continue;
      }
      undecided_since.erase(pid);
      if (!*holds) continue;
      ::kill(pid, SIGKILL);
      found = true;
      killed += unreaped.insert(pid).second ? 1 : 0;
    }
    // Ours to reap once re-parented here; gone entirely when another parent reaped it.
    for (auto i = unreaped.begin(); i != unreaped.end();) {
      const pid_t reaped = ::waitpid(*i, nullptr, WNOHANG);
      const bool gone = reaped == *i || (::kill(*i, 0) == -1 && errno == ESRCH);
      i = gone ? unreaped.erase(i) : std::next(i);
    }
    if ((!found && !undecided && unreaped.empty()) || std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return killed;
}

} // namespace dtf
