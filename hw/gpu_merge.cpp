#include "hw/gpu_merge.hpp"

#include "hw/gpu_from_topology.hpp"
#include "hw/locality.hpp"

#include <algorithm>

namespace dtf::hw {
namespace {

void add_backends(worker_capability& into, const std::vector<std::string>& more) {
  into.backends.insert(into.backends.end(), more.begin(), more.end());
  std::sort(into.backends.begin(), into.backends.end());
  into.backends.erase(std::unique(into.backends.begin(), into.backends.end()), into.backends.end());
}

} // namespace

std::vector<worker_capability> merge_gpu_records(const topology& topo, std::vector<worker_capability> from_drivers,
                                                 std::vector<worker_capability> from_topology,
                                                 const std::string& sys_root) {
  std::vector<worker_capability> out;
  std::vector<bool> taken(from_topology.size(), false);
  for (auto& gpu : from_drivers) {
    gpu.pci_bus_id = normalize_pci_bus_id(gpu.pci_bus_id);
    for (std::size_t i = 0; i < from_topology.size(); ++i) {
      const worker_capability& seen = from_topology[i];
      if (taken[i] || gpu.pci_bus_id.empty() || normalize_pci_bus_id(seen.pci_bus_id) != gpu.pci_bus_id) continue;
      taken[i] = true;
      add_backends(gpu, seen.backends);
      if (gpu.memory_bytes == 0) gpu.memory_bytes = seen.memory_bytes;
      if (gpu.cores == 0) gpu.cores = seen.cores;
      if (!gpu.compute_capability) gpu.compute_capability = seen.compute_capability;
      if (gpu.arch.empty()) gpu.arch = seen.arch;
      gpu.cpuset = seen.cpuset;
      gpu.numa_nodes = seen.numa_nodes;
      break;  // the next driver record of this bus id is the device's next partition
    }
    if (!attach_locality(topo, gpu) && gpu.cpuset.empty() && topo.is_this_system())
      attach_locality_from_sysfs(topo, gpu, sys_root);
    if (gpu.host.empty()) gpu.host = topo.host_name();
    out.push_back(std::move(gpu));
  }
  for (std::size_t i = 0; i < from_topology.size(); ++i)
    if (!taken[i]) out.push_back(std::move(from_topology[i]));
  assign_gpu_ids(out);
  return out;
}

} // namespace dtf::hw
