#pragma once
// Live metrics of NVIDIA GPUs through NVML (libnvidia-ml.so.1, dlopen):
// temperature, power draw and limit, utilization, memory used, by PCI bus id.
#include "scheduler/worker.hpp"

#include <memory>
#include <optional>
#include <string>

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

  struct api;

private:
  explicit nvml_library(std::unique_ptr<api> functions);
  std::unique_ptr<api> api_;
};

} // namespace dtf::hw
