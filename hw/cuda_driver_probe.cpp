#include "hw/cuda_driver_probe.hpp"

#include "hw/shared_library.hpp"

#include <cstddef>
#include <cstdio>

#if defined(DTF_HAVE_CUDA_H)
#include <cuda.h>
#endif

namespace dtf::hw {
namespace {

// The few driver API types and values used, declared here so that no CUDA
// header is needed (checked against cuda.h when the toolkit is used).
using cu_result = int;
using cu_device = int;
constexpr cu_result cuda_success = 0;
constexpr cu_result cuda_error_stub_library = 34;
constexpr cu_result cuda_error_no_device = 100;
constexpr int attribute_multiprocessor_count = 16;
constexpr int attribute_pci_bus_id = 33;
constexpr int attribute_pci_device_id = 34;
constexpr int attribute_pci_domain_id = 50;
constexpr int attribute_compute_capability_major = 75;
constexpr int attribute_compute_capability_minor = 76;

#if defined(DTF_HAVE_CUDA_H)
static_assert(sizeof(CUdevice) == sizeof(cu_device));
static_assert(CUDA_ERROR_STUB_LIBRARY == cuda_error_stub_library && CUDA_ERROR_NO_DEVICE == cuda_error_no_device);
static_assert(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT == attribute_multiprocessor_count);
static_assert(CU_DEVICE_ATTRIBUTE_PCI_BUS_ID == attribute_pci_bus_id);
static_assert(CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID == attribute_pci_device_id);
static_assert(CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID == attribute_pci_domain_id);
static_assert(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR == attribute_compute_capability_major);
static_assert(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR == attribute_compute_capability_minor);
#endif

using cu_init_fn = cu_result (*)(unsigned int);
using cu_device_get_count_fn = cu_result (*)(int*);
using cu_device_get_fn = cu_result (*)(cu_device*, int);
using cu_device_get_name_fn = cu_result (*)(char*, int, cu_device);
using cu_device_total_mem_fn = cu_result (*)(std::size_t*, cu_device);
using cu_device_get_attribute_fn = cu_result (*)(int*, int, cu_device);
using cu_get_error_string_fn = cu_result (*)(cu_result, const char**);

struct cuda_driver {
  cu_init_fn init = nullptr;
  cu_device_get_count_fn get_count = nullptr;
  cu_device_get_fn get = nullptr;
  cu_device_get_name_fn get_name = nullptr;
  cu_device_total_mem_fn total_mem = nullptr;
  cu_device_get_attribute_fn get_attribute = nullptr;
  cu_get_error_string_fn error_string = nullptr;  // optional

  std::string describe(cu_result rc) const {
    const char* text = nullptr;
    if (error_string && error_string(rc, &text) == cuda_success && text)
      return "CUDA error " + std::to_string(rc) + " (" + text + ")";
    return "CUDA error " + std::to_string(rc);
  }
};

} // namespace

gpu_probe_result probe_cuda_driver(const std::string& library_name) {
  gpu_probe_result result;
  const shared_library library{library_name};
  if (!library.is_open()) {
    if (!library.is_absent()) result.warning = library_name + " is present but cannot be loaded: " + library.error();
    return result;
  }
  cuda_driver cu;
  cu.init = library.function<cu_init_fn>("cuInit");
  cu.get_count = library.function<cu_device_get_count_fn>("cuDeviceGetCount");
  cu.get = library.function<cu_device_get_fn>("cuDeviceGet");
  cu.get_name = library.function<cu_device_get_name_fn>("cuDeviceGetName");
  cu.total_mem = library.function<cu_device_total_mem_fn>("cuDeviceTotalMem_v2");
  cu.get_attribute = library.function<cu_device_get_attribute_fn>("cuDeviceGetAttribute");
  cu.error_string = library.function<cu_get_error_string_fn>("cuGetErrorString");
  if (!cu.init || !cu.get_count || !cu.get || !cu.get_name || !cu.total_mem || !cu.get_attribute) {
    result.warning = library_name + " lacks the CUDA driver API (cuInit, cuDeviceGet*, cuDeviceTotalMem_v2); no CUDA workers";
    return result;
  }
  cu_result rc = cu.init(0);
  if (rc == cuda_error_no_device || rc == cuda_error_stub_library) return result;
  if (rc != cuda_success) {
    result.warning = library_name + ": cuInit failed with " + cu.describe(rc) + "; no CUDA workers";
    return result;
  }
  int count = 0;
  if ((rc = cu.get_count(&count)) != cuda_success) {
    result.warning = library_name + ": cuDeviceGetCount failed with " + cu.describe(rc) + "; no CUDA workers";
    return result;
  }
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    cu_device device = 0;
    char name[256] = {};
    std::size_t memory = 0;
    int sms = 0, major = 0, minor = 0, domain = 0, bus = 0, dev = 0;
    const auto failed = first_failure({
        cu.get(&device, ordinal),
        cu.get_name(name, static_cast<int>(sizeof name) - 1, device),
        cu.total_mem(&memory, device),
        cu.get_attribute(&sms, attribute_multiprocessor_count, device),
        cu.get_attribute(&major, attribute_compute_capability_major, device),
        cu.get_attribute(&minor, attribute_compute_capability_minor, device),
        cu.get_attribute(&domain, attribute_pci_domain_id, device),
        cu.get_attribute(&bus, attribute_pci_bus_id, device),
        cu.get_attribute(&dev, attribute_pci_device_id, device),
    }, cuda_success);
    if (failed) {
      result.warning = library_name + ": querying CUDA device " + std::to_string(ordinal) + " failed with " +
                       cu.describe(*failed) + "; it is left out";
      continue;
    }
    worker_capability w;
    w.kind = device_kind::cuda;
    w.name = name;
    w.memory_bytes = memory;
    w.cores = sms;
    w.compute_capability = major + minor / 10.0;
    char bus_id[32];
    std::snprintf(bus_id, sizeof bus_id, "%04x:%02x:%02x.0", static_cast<unsigned>(domain), static_cast<unsigned>(bus),
                  static_cast<unsigned>(dev));
    w.pci_bus_id = bus_id;
    w.device_index = ordinal;
    w.backends = {"cuda"};
    result.gpus.push_back(std::move(w));
  }
  return result;
}

} // namespace dtf::hw
