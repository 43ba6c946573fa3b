#include "actors/execution/running_commands.hpp"

#include "actors/execution/command_guardian.hpp"
#include "actors/execution/process_tree.hpp"

#include <csignal>
#include <mutex>
#include <set>

#include <unistd.h>

namespace dtf {

namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::set<pid_t>& registry() {
  static std::set<pid_t> groups;
  return groups;
}

} // namespace

void register_running_command(pid_t process_group) {
  std::lock_guard lock{registry_mutex()};
  registry().insert(process_group);
}

void unregister_running_command(pid_t process_group) {
  std::lock_guard lock{registry_mutex()};
  registry().erase(process_group);
}

std::set<pid_t> running_command_groups() {
  std::lock_guard lock{registry_mutex()};
  return registry();
}

bool no_orphans_adopted() {
  const auto children = children_of_main_thread();
  if (!children) return false;
  const pid_t guardian = command_guardian_pid();
  std::lock_guard lock{registry_mutex()};
  for (pid_t child : *children)
    if (child != guardian && !registry().count(child)) return false;
  return true;
}

void kill_all_running_commands() {
  {
    std::lock_guard lock{registry_mutex()};
    for (pid_t group : registry()) ::kill(-group, SIGKILL);
  }
  for (pid_t pid : descendants_of(::getpid())) ::kill(pid, SIGKILL);
}

} // namespace dtf
