#pragma once
// One record per physical GPU when several sources saw it (the driver API and
// hwloc's own OS devices): matched by PCI bus id, driver figures first.
#include "hw/topology.hpp"
#include "scheduler/model/worker.hpp"

#include <string>
#include <vector>

namespace dtf::hw {

/// Merges driver records (CUDA, HIP) with topology records of the same bus
/// id (the k-th of a bus with the k-th: compute partitions share one), attaches each GPU's nearby cpuset and NUMA nodes from `topo` (for a
/// live topology that lacks the PCI device, from <sys_root>), and assigns ids
/// (assign_gpu_ids). Topology-only GPUs are kept.
std::vector<worker_capability> merge_gpu_records(const topology& topo, std::vector<worker_capability> from_drivers,
                                                 std::vector<worker_capability> from_topology,
                                                 const std::string& sys_root = "/sys");

} // namespace dtf::hw
