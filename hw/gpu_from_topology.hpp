#pragma once
// GPU records from an hwloc topology's OS devices: subtypes CUDA, NVML, RSMI
// and OpenCL (GPU devices of NVIDIA or AMD). A GPU that several backends
// report (cuda0 + nvml0 + opencl0d0 under one PCI device) is one record; an
// AMD GPU split into compute partitions (several RSMI devices under one PCI
// device, rsmi0..rsmi5) is one record per partition, in RSMI order.
#include "hw/topology.hpp"
#include "scheduler/model/worker.hpp"

#include <vector>

namespace dtf::hw {

/// One record per GPU with kind, name, memory, SM/CU count, compute capability
/// or gfx arch (from the model name where the topology does not say), PCI bus
/// id, device index (from the CUDA/RSMI device name) and locality. Ids are not
/// assigned here (see assign_gpu_ids); the order is by PCI bus id.
std::vector<worker_capability> gpus_from_topology(const topology& topo);

/// Sorts GPU records by kind, device index, then PCI bus id (stable: MIG
/// instances and partitions keep their order), and names them "cuda0",
/// "cuda1", ..., "rocm0", ... in that order; the MIG instances of one GPU
/// (visible_device "MIG-...") are "cuda<n>-mig0", "cuda<n>-mig1", ....
void assign_gpu_ids(std::vector<worker_capability>& gpus);

} // namespace dtf::hw
