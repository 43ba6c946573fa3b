#pragma once
// Where a GPU sits: its hwloc PCI object (found by bus id) and the cores and
// NUMA nodes closest to it (the first non-I/O ancestor's sets).
#include "hw/topology.hpp"
#include "scheduler/model/worker.hpp"

#include <string>

namespace dtf::hw {

/// "0000:3b:00.0" for an hwloc PCI device object.
std::string pci_bus_id_of(hwloc_obj_t pci_device);

/// Normalises "0000:3B:00.0", "00000000:3b:00.0" (NVML's form) or "3b:00.0"
/// to "0000:3b:00.0"; empty when the text is not a PCI bus id.
std::string normalize_pci_bus_id(const std::string& text);

/// Fills gpu.cpuset and gpu.numa_nodes from the PCI object with gpu.pci_bus_id.
/// Returns false (and leaves the record alone) when the topology has no such object.
bool attach_locality(const topology& topo, worker_capability& gpu);

/// For a live GPU the topology does not show (PCI discovery unavailable, as
/// in some containers): the kernel's view, <sys_root>/bus/pci/devices/<bus
/// id>/local_cpulist and numa_node; on a machine with one NUMA node, every
/// core is equally near. Returns false when neither tells.
bool attach_locality_from_sysfs(const topology& topo, worker_capability& gpu, const std::string& sys_root = "/sys");

/// Same, from a known I/O object (PCI device or OS device).
void attach_locality(const topology& topo, hwloc_obj_t io_object, worker_capability& gpu);

} // namespace dtf::hw
