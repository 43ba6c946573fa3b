#include "hw/hip_probe.hpp"

#include "hw/amd_sysfs_probe.hpp"
#include "hw/gpu_model_table.hpp"
#include "hw/gpu_partitions.hpp"
#include "hw/locality.hpp"
#include "hw/shared_library.hpp"

#include <cstddef>

#if defined(DTF_HAVE_HIP_H)
#include <hip/hip_runtime_api.h>
#endif

namespace dtf::hw {
namespace {

// HIP's stable C entry points, declared here so no HIP header is needed.
using hip_error = int;
constexpr hip_error hip_success = 0;
constexpr hip_error hip_error_no_device = 100;
constexpr hip_error hip_error_invalid_device = 101;  // ROCm 5's hipInit on a machine without AMD GPU
using hip_init_fn = hip_error (*)(unsigned int);
using hip_get_device_count_fn = hip_error (*)(int*);
using hip_device_get_name_fn = hip_error (*)(char*, int, int);
using hip_device_total_mem_fn = hip_error (*)(std::size_t*, int);
using hip_device_get_pci_bus_id_fn = hip_error (*)(char*, int, int);
using hip_get_error_string_fn = const char* (*)(hip_error);

#if defined(DTF_HAVE_HIP_H)
static_assert(hipErrorNoDevice == hip_error_no_device && hipErrorInvalidDevice == hip_error_invalid_device);

// With the headers the struct layout is known: arch and CUs straight from HIP.
// ROCm 6 headers map hipGetDeviceProperties to a versioned symbol
// (hipGetDevicePropertiesR0600) whose struct differs from the unversioned
// one, so look up whatever name the header expands to.
#define DTF_HIP_SYMBOL_NAME(symbol) DTF_HIP_SYMBOL_NAME_EXPANDED(symbol)
#define DTF_HIP_SYMBOL_NAME_EXPANDED(symbol) #symbol
void fill_from_properties(const shared_library& library, int ordinal, worker_capability& w) {
  using get_properties_fn = hipError_t (*)(hipDeviceProp_t*, int);
  const auto get_properties = library.function<get_properties_fn>(DTF_HIP_SYMBOL_NAME(hipGetDeviceProperties));
  hipDeviceProp_t props{};
  if (!get_properties || get_properties(&props, ordinal) != hipSuccess) return;
  std::string arch = props.gcnArchName;  // "gfx90a:sramecc+:xnack-"
  if (!arch.empty()) w.arch = arch.substr(0, arch.find(':'));
  if (props.multiProcessorCount > 0) w.cores = props.multiProcessorCount;
}
#endif

// Only ROCm's -dev packages install the unversioned name: for the default,
// also try the runtime's versioned names.
shared_library open_hip_runtime(const std::string& name) {
  if (name != "libamdhip64.so") return shared_library{name};
  for (const char* candidate : {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"}) {
    shared_library library{candidate};
    if (!library.is_absent()) return library;
  }
  return shared_library{name};
}

} // namespace

gpu_probe_result probe_hip(const std::string& library_name, const std::string& sys_root) {
  gpu_probe_result result;
  const shared_library library = open_hip_runtime(library_name);
  if (!library.is_open()) {
    if (!library.is_absent()) result.warning = library.name() + " is present but cannot be loaded: " + library.error();
    return result;
  }
  const auto init = library.function<hip_init_fn>("hipInit");
  const auto get_count = library.function<hip_get_device_count_fn>("hipGetDeviceCount");
  const auto get_name = library.function<hip_device_get_name_fn>("hipDeviceGetName");
  const auto total_mem = library.function<hip_device_total_mem_fn>("hipDeviceTotalMem");
  const auto get_bus_id = library.function<hip_device_get_pci_bus_id_fn>("hipDeviceGetPCIBusId");
  const auto error_string = library.function<hip_get_error_string_fn>("hipGetErrorString");
  if (!init || !get_count || !get_name || !total_mem || !get_bus_id) {
    result.warning = library.name() + " lacks the HIP device API (hipInit, hipDeviceGet*); no ROCm workers";
    return result;
  }
  auto describe = [&](hip_error rc) {
    const char* text = error_string ? error_string(rc) : nullptr;
    return "HIP error " + std::to_string(rc) + (text ? std::string{" ("} + text + ")" : std::string{});
  };
  hip_error rc = init(0);
  if (rc == hip_error_no_device || rc == hip_error_invalid_device) return result;  // runtime installed, no GPU
  if (rc != hip_success) {
    result.warning = library.name() + ": hipInit failed with " + describe(rc) + "; no ROCm workers";
    return result;
  }
  int count = 0;
  if ((rc = get_count(&count)) != hip_success) {
    if (rc != hip_error_no_device)
      result.warning = library.name() + ": hipGetDeviceCount failed with " + describe(rc) + "; no ROCm workers";
    return result;
  }
  const std::vector<amd_sysfs_gpu> sysfs = scan_amd_sysfs(sys_root);
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    char name[256] = {};
    char bus_id[64] = {};
    std::size_t memory = 0;
    const auto failed = first_failure({get_name(name, static_cast<int>(sizeof name) - 1, ordinal),
                                       total_mem(&memory, ordinal),
                                       get_bus_id(bus_id, static_cast<int>(sizeof bus_id) - 1, ordinal)},
                                      hip_success);
    if (failed) {
      result.warning = library.name() + ": querying HIP device " + std::to_string(ordinal) + " failed with " +
                       describe(*failed) + "; it is left out";
      continue;
    }
    worker_capability w;
    w.kind = device_kind::rocm;
    w.name = name;
    w.memory_bytes = memory;
    w.pci_bus_id = normalize_pci_bus_id(bus_id);
    w.device_index = ordinal;
    w.backends = {"hip"};
    // The k-th HIP device on a bus is its k-th KFD node (compute partitions
    // share the bus id).
    std::size_t earlier_on_bus = 0;
    for (const auto& seen : result.gpus) earlier_on_bus += seen.pci_bus_id == w.pci_bus_id ? 1 : 0;
    for (const auto& gpu : sysfs) {
      if (gpu.pci_bus_id != w.pci_bus_id || earlier_on_bus-- > 0) continue;
      w.arch = gpu.arch;
      w.cores = gpu.compute_units;
      if (gpu.apu) w.labels.push_back("apu");
      w.backends.push_back("sysfs");
      break;
    }
    if (const std::string mode = read_compute_partition(w.pci_bus_id, sys_root); !mode.empty())
      w.labels.push_back(partition_label(mode));
#if defined(DTF_HAVE_HIP_H)
    fill_from_properties(library, ordinal, w);
#endif
    if (w.arch.empty()) w.arch = gfx_arch_from_model(w.name);  // no KFD sysfs (a container, say)
    result.gpus.push_back(std::move(w));
  }
  return result;
}

} // namespace dtf::hw
