// Binding a forked child to a worker's cpuset, the way workers start commands.
#include "hw/cpu_binding.hpp"
#include "hw/topology.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace {

// The first CPU this process may run on: a one-PU set that is always allowed.
int first_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) return cpu;
  return 0;
}

// Forks a child that applies the affinity (only async-signal-safe calls) and
// writes back what sched_getaffinity then reports.
std::string affinity_seen_by_bound_child(const dtf::hw::cpu_affinity& affinity) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    char buffer[256];
    const int rc = affinity.apply_to_this_process();
    const std::string_view seen = rc == 0 ? dtf::hw::current_affinity_list(buffer, sizeof buffer) : "error";
    const ssize_t written = write(fds[1], seen.data(), seen.size());
    _exit(written == static_cast<ssize_t>(seen.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string seen;
  char chunk[256];
  for (ssize_t n; (n = read(fds[0], chunk, sizeof chunk)) > 0;) seen.append(chunk, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return seen;
}

} // namespace

TEST(cpu_binding, forked_child_bound_to_one_pu_reports_exactly_that_pu) {
  const std::string one_pu = std::to_string(first_allowed_cpu());
  const auto affinity = dtf::hw::cpu_affinity::from_cpuset(one_pu);
  EXPECT_EQ(affinity.count(), 1);
  EXPECT_EQ(affinity_seen_by_bound_child(affinity), one_pu);
}

TEST(cpu_binding, parses_hwloc_list_strings) {
  const auto affinity = dtf::hw::cpu_affinity::from_cpuset("0-3,8,10-11");
  EXPECT_EQ(affinity.count(), 7);
  EXPECT_TRUE(CPU_ISSET(8, &affinity.cpus()));
  EXPECT_FALSE(CPU_ISSET(9, &affinity.cpus()));
}

TEST(cpu_binding, rejects_text_that_is_not_a_cpu_list) {
  EXPECT_THROW(dtf::hw::cpu_affinity::from_cpuset(""), std::invalid_argument);
  EXPECT_THROW(dtf::hw::cpu_affinity::from_cpuset("all"), std::invalid_argument);
  EXPECT_THROW(dtf::hw::cpu_affinity::from_cpuset("0-3;5"), std::invalid_argument);
  EXPECT_THROW(dtf::hw::cpu_affinity::from_cpuset("5000"), std::invalid_argument);
}

TEST(cpu_binding, hwloc_binds_a_running_child_process) {
  const auto& topo = dtf::hw::topology::this_machine();
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    // Wait until the parent has bound us, then report our affinity.
    char go = 0;
    if (read(ready[0], &go, 1) != 1) _exit(1);
    char buffer[256];
    const auto seen = dtf::hw::current_affinity_list(buffer, sizeof buffer);
    _exit(write(done[1], seen.data(), seen.size()) > 0 ? 0 : 1);
  }
  close(ready[0]);
  close(done[1]);
  const std::string one_pu = std::to_string(first_allowed_cpu());
  dtf::hw::bind_process_with_hwloc(topo, pid, one_pu);
  ASSERT_EQ(write(ready[1], "g", 1), 1);
  char buffer[256] = {};
  const ssize_t n = read(done[0], buffer, sizeof buffer - 1);
  int status = 0;
  waitpid(pid, &status, 0);
  close(ready[1]);
  close(done[0]);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(n)), one_pu);
}

TEST(cpu_binding, refuses_to_bind_with_another_machines_topology) {
  const auto topo = dtf::hw::topology::load_synthetic("package:1 core:1 pu:1");
  EXPECT_THROW(dtf::hw::bind_process_with_hwloc(topo, getpid(), "0"), std::invalid_argument);
}
