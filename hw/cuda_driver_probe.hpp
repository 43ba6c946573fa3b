#pragma once
// NVIDIA GPUs through the CUDA driver API (libcuda.so.1, loaded with dlopen):
// name, total memory, compute capability, SM count, PCI bus id, ordinal.
#include "hw/gpu_probe_result.hpp"

#include <string>

namespace dtf::hw {

/// No libcuda, or a driver that reports no device (or is a stub): no GPUs,
/// no warning. A driver that fails otherwise: no GPUs and one warning.
gpu_probe_result probe_cuda_driver(const std::string& library = "libcuda.so.1");

} // namespace dtf::hw
