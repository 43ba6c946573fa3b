#include "hw/amd_sysfs_probe.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace dtf::hw {
namespace {

namespace fs = std::filesystem;

std::optional<std::uint64_t> read_number(const fs::path& file) {
  std::ifstream in(file);
  std::uint64_t value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

// A KFD node's properties file: "key value" lines.
std::map<std::string, std::uint64_t> read_properties(const fs::path& file) {
  std::map<std::string, std::uint64_t> out;
  std::ifstream in(file);
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) out[key] = value;
  return out;
}

// Directory entries sorted by name, so results never depend on readdir order.
std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

std::string gfx_arch_from_target_version(unsigned long version) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "gfx%lu%lx%lx", version / 10000, (version / 100) % 100, version % 100);
  return buffer;
}

std::vector<amd_sysfs_gpu> scan_amd_sysfs(const std::string& sys_root) {
  std::vector<std::pair<std::uint64_t, amd_sysfs_gpu>> found;  // (node number, gpu)
  for (const auto& node : sorted_entries(fs::path{sys_root} / "class/kfd/kfd/topology/nodes")) {
    auto props = read_properties(node / "properties");
    if (props["simd_count"] == 0 || props["gfx_target_version"] == 0) continue;  // a CPU node
    amd_sysfs_gpu gpu;
    const std::uint64_t location = props["location_id"];  // bus << 8 | device << 3 | function
    char bus_id[32];
    std::snprintf(bus_id, sizeof bus_id, "%04x:%02x:%02x.%01x", static_cast<unsigned>(props["domain"]),
                  static_cast<unsigned>((location >> 8) & 0xff), static_cast<unsigned>((location >> 3) & 0x1f),
                  static_cast<unsigned>(location & 0x7));
    gpu.pci_bus_id = bus_id;
    gpu.arch = gfx_arch_from_target_version(props["gfx_target_version"]);
    gpu.apu = props["cpu_cores_count"] > 0;
    if (props["simd_per_cu"] > 0) gpu.compute_units = static_cast<int>(props["simd_count"] / props["simd_per_cu"]);
    gpu.vram_bytes = read_number(fs::path{sys_root} / "bus/pci/devices" / gpu.pci_bus_id / "mem_info_vram_total").value_or(0);
    std::uint64_t number = 0;
    std::istringstream(node.filename().string()) >> number;
    found.emplace_back(number, std::move(gpu));
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<amd_sysfs_gpu> out;
  for (auto& [number, gpu] : found) out.push_back(std::move(gpu));
  return out;
}

std::string read_compute_partition(const std::string& pci_bus_id, const std::string& sys_root) {
  std::string mode;
  std::ifstream(fs::path{sys_root} / "bus/pci/devices" / pci_bus_id / "current_compute_partition") >> mode;
  return mode;
}

worker_metrics sample_amd_sysfs(const std::string& pci_bus_id, const std::string& sys_root) {
  const fs::path device = fs::path{sys_root} / "bus/pci/devices" / pci_bus_id;
  worker_metrics m;
  if (auto busy = read_number(device / "gpu_busy_percent")) m.utilization = static_cast<double>(*busy) / 100.0;
  if (auto used = read_number(device / "mem_info_vram_used")) m.memory_used_bytes = *used;
  for (const auto& hwmon : sorted_entries(device / "hwmon")) {
    if (!m.temperature_c)
      if (auto millidegrees = read_number(hwmon / "temp1_input")) m.temperature_c = static_cast<double>(*millidegrees) / 1000.0;
    if (!m.power_w) {  // newer kernels name it power1_input, older power1_average
      auto microwatts = read_number(hwmon / "power1_average");
      if (!microwatts) microwatts = read_number(hwmon / "power1_input");
      if (microwatts) m.power_w = static_cast<double>(*microwatts) / 1e6;
    }
    if (!m.power_limit_w)
      if (auto microwatts = read_number(hwmon / "power1_cap")) m.power_limit_w = static_cast<double>(*microwatts) / 1e6;
  }
  return m;
}

} // namespace dtf::hw
