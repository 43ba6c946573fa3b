#include "hw/nvml_probe.hpp"

#include "hw/shared_library.hpp"

#include <optional>

namespace dtf::hw {
namespace {

// NVML's few types, declared here so that no NVML header is needed.
using nvml_return = int;
using nvml_device = struct nvml_device_opaque*;
constexpr nvml_return nvml_success = 0;
constexpr int nvml_temperature_gpu = 0;
constexpr int nvml_feature_enabled = 1;
constexpr unsigned int nvml_nvlink_max_links = 18;
struct nvml_utilization {
  unsigned int gpu;     // percent of time a kernel ran
  unsigned int memory;  // percent of time memory was read or written
};
struct nvml_memory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

} // namespace

struct nvml_library::api {
  shared_library library;
  nvml_return (*shutdown)() = nullptr;
  nvml_return (*handle_by_bus_id)(const char*, nvml_device*) = nullptr;
  nvml_return (*temperature)(nvml_device, int, unsigned int*) = nullptr;
  nvml_return (*power_usage_mw)(nvml_device, unsigned int*) = nullptr;
  nvml_return (*power_limit_mw)(nvml_device, unsigned int*) = nullptr;
  nvml_return (*utilization)(nvml_device, nvml_utilization*) = nullptr;
  nvml_return (*memory)(nvml_device, nvml_memory*) = nullptr;
  nvml_return (*nvlink_state)(nvml_device, unsigned int, int*) = nullptr;
};

std::unique_ptr<nvml_library> nvml_library::load(const std::string& name, std::string* warning) {
  auto functions = std::make_unique<api>(api{shared_library{name}});
  const shared_library& lib = functions->library;
  if (!lib.is_open()) {
    if (!lib.is_absent() && warning) *warning = name + " is present but cannot be loaded: " + lib.error();
    return nullptr;
  }
  using init_fn = nvml_return (*)();
  const auto init = lib.function<init_fn>("nvmlInit_v2");
  functions->shutdown = lib.function<nvml_return (*)()>("nvmlShutdown");
  functions->handle_by_bus_id = lib.function<nvml_return (*)(const char*, nvml_device*)>("nvmlDeviceGetHandleByPciBusId_v2");
  functions->temperature = lib.function<nvml_return (*)(nvml_device, int, unsigned int*)>("nvmlDeviceGetTemperature");
  functions->power_usage_mw = lib.function<nvml_return (*)(nvml_device, unsigned int*)>("nvmlDeviceGetPowerUsage");
  functions->power_limit_mw = lib.function<nvml_return (*)(nvml_device, unsigned int*)>("nvmlDeviceGetEnforcedPowerLimit");
  functions->utilization = lib.function<nvml_return (*)(nvml_device, nvml_utilization*)>("nvmlDeviceGetUtilizationRates");
  functions->memory = lib.function<nvml_return (*)(nvml_device, nvml_memory*)>("nvmlDeviceGetMemoryInfo");
  functions->nvlink_state = lib.function<nvml_return (*)(nvml_device, unsigned int, int*)>("nvmlDeviceGetNvLinkState");
  if (!init || !functions->shutdown || !functions->handle_by_bus_id) {
    if (warning) *warning = name + " lacks nvmlInit_v2 / nvmlDeviceGetHandleByPciBusId_v2; no NVIDIA GPU metrics";
    return nullptr;
  }
  if (const nvml_return rc = init(); rc != nvml_success) {
    if (warning) *warning = name + ": nvmlInit_v2 failed with NVML error " + std::to_string(rc) + "; no NVIDIA GPU metrics";
    return nullptr;
  }
  return std::unique_ptr<nvml_library>(new nvml_library(std::move(functions)));
}

nvml_library::nvml_library(std::unique_ptr<api> functions) : api_(std::move(functions)) {}

nvml_library::~nvml_library() { api_->shutdown(); }

std::optional<worker_metrics> nvml_library::sample(const std::string& pci_bus_id) const {
  nvml_device device = nullptr;
  if (api_->handle_by_bus_id(pci_bus_id.c_str(), &device) != nvml_success) return std::nullopt;
  worker_metrics m;
  unsigned int value = 0;
  if (api_->temperature && api_->temperature(device, nvml_temperature_gpu, &value) == nvml_success)
    m.temperature_c = value;
  if (api_->power_usage_mw && api_->power_usage_mw(device, &value) == nvml_success) m.power_w = value / 1000.0;
  if (api_->power_limit_mw && api_->power_limit_mw(device, &value) == nvml_success) m.power_limit_w = value / 1000.0;
  nvml_utilization utilization{};
  if (api_->utilization && api_->utilization(device, &utilization) == nvml_success)
    m.utilization = utilization.gpu / 100.0;
  nvml_memory memory{};
  if (api_->memory && api_->memory(device, &memory) == nvml_success) m.memory_used_bytes = memory.used;
  return m;
}

bool nvml_library::has_active_nvlink(const std::string& pci_bus_id) const {
  nvml_device device = nullptr;
  if (!api_->nvlink_state || api_->handle_by_bus_id(pci_bus_id.c_str(), &device) != nvml_success) return false;
  for (unsigned int link = 0; link < nvml_nvlink_max_links; ++link) {
    int state = 0;
    if (api_->nvlink_state(device, link, &state) == nvml_success && state == nvml_feature_enabled) return true;
  }
  return false;
}

} // namespace dtf::hw
