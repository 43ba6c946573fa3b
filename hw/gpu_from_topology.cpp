#include "hw/gpu_from_topology.hpp"

#include "hw/gpu_model_table.hpp"
#include "hw/locality.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace dtf::hw {
namespace {

enum class backend { cuda, nvml, rsmi, opencl };

std::optional<backend> backend_of(hwloc_obj_t osdev) {
  // hwloc >= 2.x sets the subtype; older XML (the DGX-2 file) only the Backend info.
  const char* tag = osdev->subtype ? osdev->subtype : hwloc_obj_get_info_by_name(osdev, "Backend");
  if (!tag) return std::nullopt;
  const std::string_view name{tag};
  if (name == "CUDA") return backend::cuda;
  if (name == "NVML") return backend::nvml;
  if (name == "RSMI") return backend::rsmi;
  if (name == "OpenCL") {
    const char* type = hwloc_obj_get_info_by_name(osdev, "OpenCLDeviceType");
    if (type && std::string_view{type} != "GPU") return std::nullopt;  // OpenCL CPUs and accelerators
    return backend::opencl;
  }
  return std::nullopt;
}

std::optional<device_kind> vendor_kind(hwloc_obj_t osdev, hwloc_obj_t pci) {
  if (const char* vendor = hwloc_obj_get_info_by_name(osdev, "GPUVendor")) {
    const std::string_view v{vendor};
    if (v.find("NVIDIA") != std::string_view::npos) return device_kind::cuda;
    if (v.find("AMD") != std::string_view::npos || v.find("Advanced Micro Devices") != std::string_view::npos)
      return device_kind::rocm;
  }
  if (pci) {
    if (pci->attr->pcidev.vendor_id == 0x10de) return device_kind::cuda;
    if (pci->attr->pcidev.vendor_id == 0x1002) return device_kind::rocm;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> info_u64(hwloc_obj_t obj, const char* name) {
  const char* text = hwloc_obj_get_info_by_name(obj, name);
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// "cuda3" -> 3, "rsmi0" -> 0.
int trailing_index(const char* name, std::string_view prefix) {
  if (!name || std::strncmp(name, prefix.data(), prefix.size()) != 0) return -1;
  int value = -1;
  const char* digits = name + prefix.size();
  auto [ptr, ec] = std::from_chars(digits, digits + std::strlen(digits), value);
  return ec == std::errc{} && *ptr == '\0' ? value : -1;
}

// Where an OS device sits among the RSMI devices of its PCI device, in RSMI
// order: a device split into compute partitions shows one RSMI device per
// partition (rsmi0..rsmi5 under one MI300A). Other backends, and an unsplit
// device, are partition 0.
int partition_ordinal(hwloc_obj_t osdev, backend from, hwloc_obj_t pci) {
  if (from != backend::rsmi || !pci) return 0;
  const int own = trailing_index(osdev->name, "rsmi");
  int ordinal = 0;
  for (hwloc_obj_t sibling = pci->io_first_child; sibling; sibling = sibling->next_sibling) {
    if (sibling == osdev || sibling->type != HWLOC_OBJ_OS_DEVICE) continue;
    const auto other = backend_of(sibling);
    if (other != backend::rsmi) continue;
    const int index = trailing_index(sibling->name, "rsmi");
    if (index < own || (index == own && sibling->gp_index < osdev->gp_index)) ++ordinal;
  }
  return ordinal;
}

struct gpu_under_construction {
  worker_capability record;
  hwloc_obj_t anchor = nullptr;  // PCI device, or the OS device itself
  std::vector<std::string> backends;
};

void absorb(gpu_under_construction& gpu, hwloc_obj_t osdev, backend from) {
  worker_capability& w = gpu.record;
  if (w.name.empty())
    if (const char* model = hwloc_obj_get_info_by_name(osdev, "GPUModel"); model && *model) w.name = model;
  switch (from) {
    case backend::cuda:
      gpu.backends.push_back("cuda");
      if (auto kib = info_u64(osdev, "CUDAGlobalMemorySize")) w.memory_bytes = *kib * 1024;
      if (auto sms = info_u64(osdev, "CUDAMultiProcessors")) w.cores = static_cast<int>(*sms);
      w.device_index = trailing_index(osdev->name, "cuda");
      break;
    case backend::nvml:
      gpu.backends.push_back("nvml");
      if (w.device_index < 0) w.device_index = trailing_index(osdev->name, "nvml");
      break;
    case backend::rsmi:
      gpu.backends.push_back("rsmi");
      if (auto kib = info_u64(osdev, "RSMIVRAMSize")) w.memory_bytes = *kib * 1024;
      w.device_index = trailing_index(osdev->name, "rsmi");
      break;
    case backend::opencl:
      gpu.backends.push_back("opencl");
      if (w.memory_bytes == 0)
        if (auto kib = info_u64(osdev, "OpenCLGlobalMemorySize")) w.memory_bytes = *kib * 1024;
      if (w.cores == 0)
        if (auto units = info_u64(osdev, "OpenCLComputeUnits")) w.cores = static_cast<int>(*units);
      break;
  }
}

// GPUs with a link in hwloc's "NVLinkBandwidth" / "XGMIBandwidth" matrices
// (to another GPU, a switch or a CPU) get the label "nvlink" / "xgmi", which
// suites can require (`labels: [nvlink]`).
void label_links(hwloc_topology_t topo, std::map<std::string, gpu_under_construction>& gpus) {
  for (const auto& [matrix, label] : {std::pair{"NVLinkBandwidth", "nvlink"}, std::pair{"XGMIBandwidth", "xgmi"}}) {
    unsigned count = 1;
    hwloc_distances_s* distances = nullptr;
    if (hwloc_distances_get_by_name(topo, matrix, &count, &distances, 0) != 0 || count == 0) continue;
    const unsigned n = distances->nbobjs;
    for (unsigned i = 0; i < n; ++i) {
      hwloc_obj_t obj = distances->objs[i];
      if (obj->type == HWLOC_OBJ_OS_DEVICE) obj = obj->parent;
      if (!obj || obj->type != HWLOC_OBJ_PCI_DEVICE) continue;
      bool linked = false;
      for (unsigned j = 0; j < n; ++j) linked = linked || (j != i && distances->values[i * n + j] > 0);
      const std::string bus_id = pci_bus_id_of(obj);
      for (auto& [key, gpu] : gpus) {  // every partition of a linked device is linked
        auto& labels = gpu.record.labels;
        if (linked && gpu.record.pci_bus_id == bus_id && std::find(labels.begin(), labels.end(), label) == labels.end())
          labels.push_back(label);
      }
    }
    hwloc_distances_release(topo, distances);
  }
}

} // namespace

std::vector<worker_capability> gpus_from_topology(const topology& topology) {
  hwloc_topology_t topo = topology.get();
  // Keyed by PCI bus id and partition ordinal (or OS device name when the
  // device has no PCI parent), so the result is ordered by bus id, then
  // partition, whatever the traversal order.
  std::map<std::string, gpu_under_construction> gpus;
  for (hwloc_obj_t osdev = hwloc_get_next_osdev(topo, nullptr); osdev; osdev = hwloc_get_next_osdev(topo, osdev)) {
    const auto from = backend_of(osdev);
    if (!from) continue;
    hwloc_obj_t pci = osdev->parent && osdev->parent->type == HWLOC_OBJ_PCI_DEVICE ? osdev->parent : nullptr;
    std::optional<device_kind> kind;
    if (*from == backend::cuda || *from == backend::nvml) kind = device_kind::cuda;
    else if (*from == backend::rsmi) kind = device_kind::rocm;
    else kind = vendor_kind(osdev, pci);
    if (!kind) continue;  // an OpenCL GPU of another vendor
    char partition[16];
    std::snprintf(partition, sizeof partition, "/%04d", partition_ordinal(osdev, *from, pci));
    const std::string key = pci ? pci_bus_id_of(pci) + partition : std::string{"~"} + (osdev->name ? osdev->name : "");
    auto& gpu = gpus[key];
    if (!gpu.anchor) {
      gpu.anchor = pci ? pci : osdev;
      gpu.record.kind = *kind;
      if (pci) gpu.record.pci_bus_id = pci_bus_id_of(pci);
    }
    absorb(gpu, osdev, *from);
  }
  label_links(topo, gpus);
  // hwloc names the model on a device's first partition only.
  std::map<std::string, std::string> model_of_bus;
  for (const auto& [key, gpu] : gpus)
    if (!gpu.record.name.empty() && !gpu.record.pci_bus_id.empty()) model_of_bus.emplace(gpu.record.pci_bus_id, gpu.record.name);
  std::vector<worker_capability> out;
  const std::string host = topology.host_name();
  for (auto& [key, gpu] : gpus) {
    worker_capability& w = gpu.record;
    if (w.name.empty())
      if (const auto model = model_of_bus.find(w.pci_bus_id); model != model_of_bus.end()) w.name = model->second;
    if (w.name.empty()) w.name = w.kind == device_kind::cuda ? "NVIDIA GPU" : "AMD GPU";
    if (w.kind == device_kind::cuda) {
      w.compute_capability = compute_capability_from_model(w.name);
    } else {
      w.arch = gfx_arch_from_model(w.name);
    }
    if (w.memory_bytes == 0)  // NVML devices in XML carry no memory size
      if (auto bytes = memory_bytes_from_model(w.name)) w.memory_bytes = *bytes;
    std::sort(gpu.backends.begin(), gpu.backends.end());
    gpu.backends.erase(std::unique(gpu.backends.begin(), gpu.backends.end()), gpu.backends.end());
    w.backends = gpu.backends;
    w.host = host;
    attach_locality(topology, gpu.anchor, w);
    out.push_back(std::move(w));
  }
  return out;
}

void assign_gpu_ids(std::vector<worker_capability>& gpus) {
  auto order = [](const worker_capability& w) {
    // Devices without an index sort after indexed ones, by bus id.
    return std::make_tuple(static_cast<int>(w.kind), w.device_index < 0, w.device_index, w.pci_bus_id);
  };
  std::stable_sort(gpus.begin(), gpus.end(),
                   [&](const worker_capability& a, const worker_capability& b) { return order(a) < order(b); });
  int next_cuda = 0, next_rocm = 0, next_mig = 0;
  const worker_capability* previous = nullptr;
  for (auto& w : gpus) {
    if (w.kind == device_kind::cuda && w.visible_device.starts_with("MIG-")) {
      // MIG instances are not CUDA ordinals: "cuda<parent>-mig<k>", k in NVML's order.
      const bool same_parent = previous && previous->kind == device_kind::cuda &&
                               previous->visible_device.starts_with("MIG-") && previous->pci_bus_id == w.pci_bus_id &&
                               previous->device_index == w.device_index;
      if (!same_parent) {
        next_mig = 0;
        ++next_cuda;
      }
      w.id = "cuda" + std::to_string(next_cuda - 1) + "-mig" + std::to_string(next_mig++);
    } else if (w.kind == device_kind::cuda) {
      w.id = "cuda" + std::to_string(next_cuda++);
    } else if (w.kind == device_kind::rocm) {
      w.id = "rocm" + std::to_string(next_rocm++);
    }
    previous = &w;
  }
}

} // namespace dtf::hw
