#pragma once
// GPU records from an hwloc topology's OS devices: subtypes CUDA, NVML, RSMI
// and OpenCL (GPU devices of NVIDIA or AMD). A GPU that several backends
// report (cuda0 + nvml0 + opencl0d0 under one PCI device) is one record.
#include "hw/topology.hpp"
#include "scheduler/worker.hpp"

#include <vector>

namespace dtf::hw {

/// One record per GPU with kind, name, memory, SM/CU count, compute capability
/// or gfx arch (from the model name where the topology does not say), PCI bus
/// id, device index (from the CUDA/RSMI device name) and locality. Ids are not
/// assigned here (see assign_gpu_ids); the order is by PCI bus id.
std::vector<worker_capability> gpus_from_topology(const topology& topo);

/// Sorts GPU records by kind, device index, then PCI bus id, and names them
/// "cuda0", "cuda1", ..., "rocm0", ... in that order.
void assign_gpu_ids(std::vector<worker_capability>& gpus);

} // namespace dtf::hw
