#pragma once
// AMD GPUs through HIP (libamdhip64.so, dlopen): name, memory, PCI bus id and
// HIP ordinal; gfx arch and compute units from the amdgpu sysfs (KFD
// topology), or from hipGetDeviceProperties when built with HIP headers
// (its struct layout changes between ROCm releases, so never without them).
#include "hw/gpu_probe_result.hpp"

#include <string>

namespace dtf::hw {

/// No libamdhip64, or no device: no GPUs, no warning. A library that fails
/// otherwise: no GPUs and one warning.
gpu_probe_result probe_hip(const std::string& library = "libamdhip64.so", const std::string& sys_root = "/sys");

} // namespace dtf::hw
