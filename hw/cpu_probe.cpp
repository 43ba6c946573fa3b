#include "hw/cpu_probe.hpp"

#include "hw/hwloc_bitmap.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace dtf::hw {
namespace {

struct cpu_group {
  std::string id;
  bitmap pus;
};

// Each group takes the machine's PUs under its object that no earlier group
// took, so overlapping objects (NUMA nodes above packages, say) cannot
// produce overlapping workers.
std::vector<cpu_group> partition_pus(hwloc_topology_t topo, cpu_grouping grouping) {
  const hwloc_obj_type_t type = grouping == cpu_grouping::package ? HWLOC_OBJ_PACKAGE : HWLOC_OBJ_NUMANODE;
  const char* prefix = grouping == cpu_grouping::package ? "cpu-pkg" : "cpu-numa";
  bitmap remaining{hwloc_topology_get_topology_cpuset(topo)};
  std::vector<cpu_group> groups;
  for (hwloc_obj_t obj = hwloc_get_next_obj_by_type(topo, type, nullptr); obj;
       obj = hwloc_get_next_obj_by_type(topo, type, obj)) {
    if (!obj->cpuset) continue;
    bitmap pus{obj->cpuset};
    pus.and_with(remaining.get());
    if (pus.empty()) continue;  // memory-only NUMA node, or PUs already taken
    remaining.and_not(pus.get());
    groups.push_back({prefix + std::to_string(obj->logical_index), std::move(pus)});
  }
  if (!remaining.empty()) groups.push_back({"cpu-other", std::move(remaining)});
  return groups;
}

int count_objects_first_in(hwloc_topology_t topo, hwloc_obj_type_t type, hwloc_const_bitmap_t set) {
  int count = 0;
  for (hwloc_obj_t obj = hwloc_get_next_obj_by_type(topo, type, nullptr); obj;
       obj = hwloc_get_next_obj_by_type(topo, type, obj)) {
    const int first = hwloc_bitmap_first(obj->cpuset);
    if (first >= 0 && hwloc_bitmap_isset(set, static_cast<unsigned>(first))) ++count;
  }
  return count;
}

// The CPU model of the first PU's package (or any ancestor that names one).
std::string cpu_model(hwloc_topology_t topo, hwloc_const_bitmap_t pus) {
  const int first = hwloc_bitmap_first(pus);
  hwloc_obj_t obj = first >= 0 ? hwloc_get_pu_obj_by_os_index(topo, static_cast<unsigned>(first)) : nullptr;
  for (; obj; obj = obj->parent)
    if (const char* model = hwloc_obj_get_info_by_name(obj, "CPUModel")) return model;
  return "CPU";
}

} // namespace

std::vector<worker_capability> probe_cpu_workers(const topology& topology, cpu_grouping grouping) {
  hwloc_topology_t topo = topology.get();
  const std::vector<cpu_group> groups = partition_pus(topo, grouping);
  std::vector<worker_capability> workers;
  workers.reserve(groups.size());
  const std::string host = topology.host_name();
  for (const auto& group : groups) {
    worker_capability w;
    w.id = group.id;
    w.kind = device_kind::cpu;
    w.name = cpu_model(topo, group.pus.get());
    w.pus = hwloc_bitmap_weight(group.pus.get());
    const int cores = count_objects_first_in(topo, HWLOC_OBJ_CORE, group.pus.get());
    w.cores = cores > 0 ? cores : w.pus;  // topologies without Core objects
    w.cpuset = to_list_string(group.pus.get());
    w.host = host;
    workers.push_back(std::move(w));
  }
  // Share each NUMA node's memory over the workers whose PUs it serves, in
  // proportion to PUs; the rounding remainder goes to the first such worker.
  // A node serving none of them (memory attached at machine level, without
  // PUs of its own) serves all.
  for (hwloc_obj_t node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, nullptr); node;
       node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)) {
    const std::uint64_t memory = node->attr ? node->attr->numanode.local_memory : 0;
    std::vector<std::uint64_t> shares(groups.size(), 0);
    std::uint64_t served = 0;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (!node->cpuset) break;
      bitmap both{node->cpuset};
      both.and_with(groups[i].pus.get());
      shares[i] = static_cast<std::uint64_t>(hwloc_bitmap_weight(both.get()));
      served += shares[i];
    }
    if (served == 0)
      for (std::size_t i = 0; i < groups.size(); ++i)
        served += shares[i] = static_cast<std::uint64_t>(hwloc_bitmap_weight(groups[i].pus.get()));
    std::uint64_t given = 0;
    std::optional<std::size_t> first_served;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (shares[i] == 0) continue;
      if (!first_served) first_served = i;
      const std::uint64_t part = memory / served * shares[i];
      workers[i].memory_bytes += part;
      given += part;
      workers[i].numa_nodes.push_back(static_cast<int>(node->os_index));
    }
    if (first_served) workers[*first_served].memory_bytes += memory - given;
  }
  for (auto& w : workers) std::sort(w.numa_nodes.begin(), w.numa_nodes.end());
  return workers;
}

} // namespace dtf::hw
