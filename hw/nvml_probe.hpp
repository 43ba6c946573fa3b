#pragma once
// NVIDIA GPUs through NVML (libnvidia-ml.so.1, dlopen), by PCI bus id: live
// metrics (temperature, power draw and limit, utilization, memory used),
// NVLink state, and the MIG instances of a GPU in MIG mode.
#include "scheduler/model/worker.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dtf::hw {

class nvml_library {
public:
  /// nullptr when the library is absent (silently) or fails to initialise
  /// (then *warning says why, when given).
  static std::unique_ptr<nvml_library> load(const std::string& library = "libnvidia-ml.so.1",
                                            std::string* warning = nullptr);
  ~nvml_library();
  nvml_library(const nvml_library&) = delete;
  nvml_library& operator=(const nvml_library&) = delete;

  /// Metrics of the GPU at `pci_bus_id` ("0000:3b:00.0"); nullopt when NVML
  /// does not know the device. A metric NVML cannot give stays empty.
  std::optional<worker_metrics> sample(const std::string& pci_bus_id) const;

  /// True when the GPU at `pci_bus_id` has at least one active NVLink.
  bool has_active_nvlink(const std::string& pci_bus_id) const;

  /// One MIG instance (a GPU instance with its compute instance) as NVML's
  /// MIG device handle shows it.
  struct mig_instance {
    std::string uuid;     // "MIG-<uuid>": what CUDA_VISIBLE_DEVICES takes
    std::string name;     // "NVIDIA H200 MIG 3g.71gb"
    std::string profile;  // "3g.71gb", from the name (or "<n>g" from the slice count)
    std::uint64_t memory_bytes = 0;
    int sms = 0;
  };
  /// The instances of the GPU at `pci_bus_id` in NVML's index order when MIG
  /// mode is on (maybe none); nullopt when it is off, the GPU cannot do MIG,
  /// this NVML lacks the MIG calls, or NVML does not know the device.
  std::optional<std::vector<mig_instance>> mig_instances(const std::string& pci_bus_id) const;
  /// True when a MIG mode change waits for a GPU reset (current != pending).
  bool mig_mode_change_pending(const std::string& pci_bus_id) const;

  struct api;

private:
  explicit nvml_library(std::unique_ptr<api> functions);
  std::unique_ptr<api> api_;
};

} // namespace dtf::hw
