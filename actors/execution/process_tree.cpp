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
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace dtf {

namespace {

/// The parent id from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm
/// may hold spaces and parentheses, so parse after the last ')').
pid_t parent_of(const std::filesystem::path& stat_file) {
  std::ifstream in{stat_file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest{text.substr(close + 1)};
  std::string state;
  long ppid = -1;
  rest >> state >> ppid;
  return static_cast<pid_t>(ppid);
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

} // namespace

std::vector<pid_t> descendants_of(pid_t pid) {
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

bool environment_has(pid_t pid, const std::string& entry) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/environ", std::ios::binary};
  if (!in) return false;
  for (std::string item; std::getline(in, item, '\0');)
    if (item == entry) return true;
  return false;
}

std::size_t end_descendants_with(const std::string& entry, double give_up_after_s) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                            std::chrono::duration<double>(give_up_after_s));
  std::set<pid_t> unreaped;
  std::size_t killed = 0;
  for (;;) {
    bool found = false;
    for (pid_t pid : descendants_of(::getpid())) {
      if (!environment_has(pid, entry)) continue;
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
    if ((!found && unreaped.empty()) || std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return killed;
}

} // namespace dtf
