#include "hw/nvml_workers.hpp"

#include "hw/gpu_from_topology.hpp"

#include <algorithm>

namespace dtf::hw {
namespace {

void add_unique(std::vector<std::string>& into, const std::string& item) {
  if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
}

void add_backend(worker_capability& gpu, const std::string& backend) {
  add_unique(gpu.backends, backend);
  std::sort(gpu.backends.begin(), gpu.backends.end());
}

worker_capability instance_worker(const worker_capability& parent, const nvml_library::mig_instance& instance) {
  worker_capability w = parent;
  w.name = instance.name.empty() ? parent.name + " MIG " + instance.profile : instance.name;
  w.memory_bytes = instance.memory_bytes;
  w.cores = instance.sms;
  w.visible_device = instance.uuid;
  if (!instance.profile.empty()) add_unique(w.labels, "mig:" + instance.profile);
  return w;
}

} // namespace

void apply_nvml(const nvml_library& nvml, std::vector<worker_capability>& gpus, std::vector<std::string>* notes) {
  std::vector<worker_capability> out;
  for (auto& gpu : gpus) {
    if (gpu.kind != device_kind::cuda) {
      out.push_back(std::move(gpu));
      continue;
    }
    if (nvml.has_active_nvlink(gpu.pci_bus_id)) {
      add_unique(gpu.labels, "nvlink");
      add_backend(gpu, "nvml");
    }
    if (notes && nvml.mig_mode_change_pending(gpu.pci_bus_id))
      notes->push_back(gpu.id + " (" + gpu.pci_bus_id + "): a MIG mode change waits for a GPU reset; listed as it is now");
    const auto instances = nvml.mig_instances(gpu.pci_bus_id);
    if (!instances) {
      out.push_back(std::move(gpu));
      continue;
    }
    add_backend(gpu, "nvml");
    if (instances->empty() && notes)
      notes->push_back(gpu.id + " (" + gpu.pci_bus_id + "): MIG mode is on but the GPU has no MIG instances; no worker");
    for (const auto& instance : *instances) out.push_back(instance_worker(gpu, instance));
  }
  gpus = std::move(out);
  assign_gpu_ids(gpus);
}

} // namespace dtf::hw
