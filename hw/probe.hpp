#pragma once
// The probes' front door: the workers a machine offers, as capability records.
//
// Live (no topology file): hwloc for CPU workers and locality, plus the GPU
// driver libraries loaded with dlopen (CUDA driver, HIP; NVML for the
// "nvlink" label). From an hwloc XML file: everything comes from the file
// (CUDA/NVML/RSMI/OpenCL OS devices; NVLink/XGMI matrices give "nvlink"/"xgmi").
//
// Ids are deterministic and host-local: "cpu-pkg0"/"cpu-numa0" (hwloc logical
// index), "cuda0".. and "rocm0".. (by device index, then PCI bus id). The host
// name is in worker_capability::host, not in the id; a multi-host fleet
// qualifies ids with the host where it needs to.
#include "scheduler/model/worker.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dtf::hw {

/// Shared-object names the live probes dlopen; tests point them at fakes.
struct gpu_library_names {
  std::string cuda = "libcuda.so.1";
  std::string nvml = "libnvidia-ml.so.1";
  std::string hip = "libamdhip64.so";
};

struct probe_options {
  bool by_numa = false;                     // one CPU worker per NUMA node instead of per package
  std::optional<std::string> topology_xml;  // describe that machine instead of this one
  bool probe_gpu_libraries = true;          // live only: dlopen the GPU driver libraries
  gpu_library_names libraries;
  std::string sys_root = "/sys";            // live only: amdgpu/KFD sysfs and PCI locality; tests use a fake tree
};

/// CPU workers first, then CUDA, then ROCm: one ROCm worker per compute
/// partition (gpu_partitions.hpp). A missing GPU library means no such
/// workers, silently; a library that is present but fails adds one line to
/// *warnings (when given). What the probe could not tell and did not guess (a
/// partition mode not read) adds one line to *notes. Throws dtf::input_error
/// for an unreadable topology file, std::runtime_error when hwloc cannot read
/// this machine.
std::vector<worker_capability> probe_workers(const probe_options& options,
                                             std::vector<std::string>* warnings = nullptr,
                                             std::vector<std::string>* notes = nullptr);

} // namespace dtf::hw
