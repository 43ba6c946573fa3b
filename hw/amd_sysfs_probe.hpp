#pragma once
// AMD GPUs as the amdgpu kernel driver shows them in sysfs: gfx arch and
// compute units from the KFD topology (/sys/class/kfd/kfd/topology/nodes),
// VRAM, busy percent, temperature and power from the PCI device's files.
// The root is a parameter so tests can point it at a fake tree.
#include "scheduler/model/worker.hpp"

#include <string>
#include <vector>

namespace dtf::hw {

struct amd_sysfs_gpu {
  std::string pci_bus_id;      // "0000:c1:00.0"
  std::string arch;            // "gfx90a", from gfx_target_version
  int compute_units = 0;       // simd_count / simd_per_cu
  std::uint64_t vram_bytes = 0;  // mem_info_vram_total, 0 when unknown
  bool apu = false;            // the node also has CPU cores (MI300A)
};

/// The KFD GPU nodes (CPU nodes skipped), in node order: a device split into
/// compute partitions has one node per partition, all with its bus id.
std::vector<amd_sysfs_gpu> scan_amd_sysfs(const std::string& sys_root = "/sys");

/// The compute partition mode of the device at `pci_bus_id` as amdgpu states
/// it (current_compute_partition: "SPX", "CPX", ...); empty when the driver
/// has no such file (a GPU that cannot be partitioned, an older kernel).
std::string read_compute_partition(const std::string& pci_bus_id, const std::string& sys_root = "/sys");

/// "gfx" + major + minor and stepping in hex: 90010 -> "gfx90a", 110000 -> "gfx1100".
std::string gfx_arch_from_target_version(unsigned long version);

/// Utilization, VRAM used, temperature, power draw and cap of the amdgpu
/// device at `pci_bus_id`; what the driver does not expose stays empty.
worker_metrics sample_amd_sysfs(const std::string& pci_bus_id, const std::string& sys_root = "/sys");

} // namespace dtf::hw
