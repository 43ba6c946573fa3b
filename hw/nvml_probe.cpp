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
constexpr unsigned int nvml_mig_enabled = 1;
constexpr unsigned int nvml_uuid_length = 96;  // NVML_DEVICE_UUID_V2_BUFFER_SIZE
constexpr unsigned int nvml_name_length = 96;  // NVML_DEVICE_NAME_V2_BUFFER_SIZE
struct nvml_device_attributes {  // nvmlDeviceAttributes_t
  unsigned int multiprocessor_count;
  unsigned int shared_copy_engine_count;
  unsigned int shared_decoder_count;
  unsigned int shared_encoder_count;
  unsigned int shared_jpeg_count;
  unsigned int shared_ofa_count;
  unsigned int gpu_instance_slice_count;
  unsigned int compute_instance_slice_count;
  unsigned long long memory_size_mb;
};

// "NVIDIA H200 MIG 3g.71gb" -> "3g.71gb"; "1c.3g.71gb" stays whole.
std::string profile_from_name(const std::string& name) {
  const auto at = name.rfind("MIG ");
  return at == std::string::npos ? std::string{} : name.substr(at + 4);
}

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
  nvml_return (*mig_mode)(nvml_device, unsigned int*, unsigned int*) = nullptr;
  nvml_return (*max_mig_devices)(nvml_device, unsigned int*) = nullptr;
  nvml_return (*mig_device_by_index)(nvml_device, unsigned int, nvml_device*) = nullptr;
  nvml_return (*uuid)(nvml_device, char*, unsigned int) = nullptr;
  nvml_return (*name)(nvml_device, char*, unsigned int) = nullptr;
  nvml_return (*attributes)(nvml_device, nvml_device_attributes*) = nullptr;
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
  functions->mig_mode = lib.function<nvml_return (*)(nvml_device, unsigned int*, unsigned int*)>("nvmlDeviceGetMigMode");
  functions->max_mig_devices = lib.function<nvml_return (*)(nvml_device, unsigned int*)>("nvmlDeviceGetMaxMigDeviceCount");
  functions->mig_device_by_index =
      lib.function<nvml_return (*)(nvml_device, unsigned int, nvml_device*)>("nvmlDeviceGetMigDeviceHandleByIndex");
  functions->uuid = lib.function<nvml_return (*)(nvml_device, char*, unsigned int)>("nvmlDeviceGetUUID");
  functions->name = lib.function<nvml_return (*)(nvml_device, char*, unsigned int)>("nvmlDeviceGetName");
  functions->attributes = lib.function<nvml_return (*)(nvml_device, nvml_device_attributes*)>("nvmlDeviceGetAttributes_v2");
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

std::optional<std::vector<nvml_library::mig_instance>> nvml_library::mig_instances(const std::string& pci_bus_id) const {
  const api& f = *api_;
  if (!f.mig_mode || !f.max_mig_devices || !f.mig_device_by_index || !f.uuid) return std::nullopt;
  nvml_device device = nullptr;
  unsigned int current = 0, pending = 0, slots = 0;
  if (f.handle_by_bus_id(pci_bus_id.c_str(), &device) != nvml_success ||
      f.mig_mode(device, &current, &pending) != nvml_success || current != nvml_mig_enabled ||
      f.max_mig_devices(device, &slots) != nvml_success)
    return std::nullopt;
  std::vector<mig_instance> out;
  for (unsigned int slot = 0; slot < slots; ++slot) {
    nvml_device mig = nullptr;
    char uuid[nvml_uuid_length] = {};
    // An empty slot answers NOT_FOUND; an instance without a UUID cannot be pinned.
    if (f.mig_device_by_index(device, slot, &mig) != nvml_success || f.uuid(mig, uuid, sizeof uuid) != nvml_success)
      continue;
    mig_instance instance;
    instance.uuid = uuid;
    if (!instance.uuid.starts_with("MIG-")) instance.uuid = "MIG-" + instance.uuid;
    char name[nvml_name_length] = {};
    if (f.name && f.name(mig, name, sizeof name) == nvml_success) instance.name = name;
    instance.profile = profile_from_name(instance.name);
    nvml_device_attributes attributes{};
    if (f.attributes && f.attributes(mig, &attributes) == nvml_success) {
      instance.sms = static_cast<int>(attributes.multiprocessor_count);
      instance.memory_bytes = attributes.memory_size_mb << 20;
      if (instance.profile.empty() && attributes.gpu_instance_slice_count > 0)
        instance.profile = std::to_string(attributes.gpu_instance_slice_count) + "g";
    }
    nvml_memory memory{};
    if (instance.memory_bytes == 0 && f.memory && f.memory(mig, &memory) == nvml_success) instance.memory_bytes = memory.total;
    out.push_back(std::move(instance));
  }
  return out;
}

bool nvml_library::mig_mode_change_pending(const std::string& pci_bus_id) const {
  nvml_device device = nullptr;
  unsigned int current = 0, pending = 0;
  return api_->mig_mode && api_->handle_by_bus_id(pci_bus_id.c_str(), &device) == nvml_success &&
         api_->mig_mode(device, &current, &pending) == nvml_success && current != pending;
}

} // namespace dtf::hw
