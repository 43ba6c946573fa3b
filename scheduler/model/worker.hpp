#pragma once
// Worker capability records (from probes or fleet files) and live metrics.
#include "scheduler/model/device_kind.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dtf {

/// Everything the scheduler knows about a worker's hardware. Fields that do
/// not apply to the kind stay empty (nullopt / empty string / empty vector).
struct worker_capability {
  std::string id;
  device_kind kind = device_kind::cpu;
  std::string name;                 // "NVIDIA A100-SXM4-40GB", "AMD EPYC 7742", ...
  std::uint64_t memory_bytes = 0;   // device memory (GPU) or local host memory (CPU)
  std::optional<double> compute_capability;  // CUDA only, e.g. 8.6
  std::string arch;                 // ROCm gfx arch, e.g. "gfx908"
  int cores = 0;                    // CPU cores, CUDA SMs, ROCm compute units
  int pus = 0;                      // hardware threads (CPU workers)
  std::vector<std::string> labels;
  int slots = 0;                    // concurrent tasks; 0 = scheduler_config::max_tasks_per_worker
  /// Relative speed for emulated workers (1.0 = reference); probes leave 1.0.
  double speed = 1.0;
  bool emulated = false;
  /// Emulated workers: wall seconds per modeled second where they run (their
  /// node's --time-scale; 0 = finish at once). The simulator, whose clock is
  /// the modeled one, leaves 1. Real workers: 1.
  double time_scale = 1.0;
  // Locality (probes only).
  std::string cpuset;               // hwloc bitmap list string, e.g. "0-15"
  std::vector<int> numa_nodes;
  std::string pci_bus_id;           // "0000:3b:00.0"
  int device_index = -1;            // CUDA/HIP ordinal for *_VISIBLE_DEVICES
  /// What CUDA_VISIBLE_DEVICES names instead of device_index: "MIG-<uuid>"
  /// for a MIG instance (device_index is then its parent GPU's ordinal).
  std::string visible_device;
  std::string host;                 // node the worker lives on
  /// Probe backends that reported the device ("cuda", "nvml", "opencl",
  /// "rsmi", "hip", "hwloc"); a GPU seen by several is still one worker.
  std::vector<std::string> backends;
};

/// Live metrics sampled on demand; all optional because not every backend has them.
struct worker_metrics {
  std::optional<double> utilization;        // 0..1
  std::optional<std::uint64_t> memory_used_bytes;
  std::optional<double> temperature_c;
  std::optional<double> power_w;
  std::optional<double> power_limit_w;
};

constexpr double bytes_per_gb = 1024.0 * 1024.0 * 1024.0;
inline double memory_gb(const worker_capability& w) { return static_cast<double>(w.memory_bytes) / bytes_per_gb; }

} // namespace dtf
