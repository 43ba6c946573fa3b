#include "hw/cpu_binding.hpp"

#include "hw/hwloc_bitmap.hpp"
#include "hw/topology.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace dtf::hw {
namespace {

bitmap parse_list(std::string_view list) {
  const std::string text{list};
  bitmap set;
  // hwloc's parser accepts trailing garbage; check the characters first.
  if (text.empty() || text.find_first_not_of("0123456789,-") != std::string::npos ||
      hwloc_bitmap_list_sscanf(set.get(), text.c_str()) != 0 || set.empty() || hwloc_bitmap_weight(set.get()) < 0)
    throw std::invalid_argument("not a cpuset list like '0-3,8': '" + text + "'");
  return set;
}

} // namespace

cpu_affinity cpu_affinity::from_cpuset(std::string_view list) {
  const bitmap set = parse_list(list);
  if (hwloc_bitmap_last(set.get()) >= CPU_SETSIZE)
    throw std::invalid_argument("cpuset '" + std::string{list} + "' names a CPU beyond " + std::to_string(CPU_SETSIZE));
  cpu_affinity out;
  CPU_ZERO(&out.set_);
  for (int cpu = hwloc_bitmap_first(set.get()); cpu >= 0; cpu = hwloc_bitmap_next(set.get(), cpu))
    CPU_SET(static_cast<unsigned>(cpu), &out.set_);
  return out;
}

int cpu_affinity::apply_to_this_process() const noexcept { return apply_to(0); }

int cpu_affinity::apply_to(pid_t pid) const noexcept {
  return sched_setaffinity(pid, sizeof set_, &set_) == 0 ? 0 : errno;
}

std::string_view current_affinity_list(char* buffer, std::size_t size) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (size == 0 || sched_getaffinity(0, sizeof set, &set) != 0) return {};
  std::size_t used = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    const int n = last == cpu ? std::snprintf(buffer + used, size - used, "%s%d", used ? "," : "", cpu)
                              : std::snprintf(buffer + used, size - used, "%s%d-%d", used ? "," : "", cpu, last);
    if (n < 0 || static_cast<std::size_t>(n) >= size - used) break;
    used += static_cast<std::size_t>(n);
    cpu = last;
  }
  return {buffer, used};
}

void bind_process_with_hwloc(const topology& topo, pid_t pid, std::string_view cpuset) {
  if (!topo.is_this_system()) throw std::invalid_argument("cannot bind a process with another machine's topology");
  const bitmap set = parse_list(cpuset);
  if (hwloc_set_proc_cpubind(topo.get(), pid, set.get(), 0) != 0)
    throw std::runtime_error("hwloc cannot bind process " + std::to_string(pid) + " to cpuset '" + std::string{cpuset} +
                             "': " + std::strerror(errno));
}

} // namespace dtf::hw
