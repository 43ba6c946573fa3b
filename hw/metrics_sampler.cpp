#include "hw/metrics_sampler.hpp"

#include "hw/amd_sysfs_probe.hpp"
#include "hw/hwloc_bitmap.hpp"
#include "hw/nvml_probe.hpp"

#include <fstream>
#include <sstream>

namespace dtf::hw {

metrics_sampler::metrics_sampler(metrics_sources sources) : sources_(std::move(sources)) {}
metrics_sampler::~metrics_sampler() = default;

worker_metrics metrics_sampler::sample(const worker_capability& worker) {
  switch (worker.kind) {
    case device_kind::cpu: return sample_cpu(worker);
    case device_kind::cuda: return sample_cuda(worker);
    case device_kind::rocm: return worker.pci_bus_id.empty() ? worker_metrics{} : sample_amd_sysfs(worker.pci_bus_id, sources_.sys_root);
  }
  return {};
}

worker_metrics metrics_sampler::sample_cuda(const worker_capability& worker) {
  if (!nvml_tried_) {
    nvml_tried_ = true;
    std::string warning;
    nvml_ = nvml_library::load(sources_.nvml_library, &warning);
    if (!warning.empty()) warnings_.push_back(warning);
  }
  if (!nvml_ || worker.pci_bus_id.empty()) return {};
  return nvml_->sample(worker.pci_bus_id).value_or(worker_metrics{});
}

worker_metrics metrics_sampler::sample_cpu(const worker_capability& worker) {
  worker_metrics m;
  bitmap pus;
  if (!worker.cpuset.empty() && hwloc_bitmap_list_sscanf(pus.get(), worker.cpuset.c_str()) != 0) return m;
  // /proc/stat: "cpuN user nice system idle iowait irq softirq steal ..." in ticks.
  std::ifstream stat(sources_.proc_root + "/stat");
  cpu_times now;
  bool any = false;
  for (std::string line; std::getline(stat, line);) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream fields(line.substr(3));
    unsigned cpu = 0;
    fields >> cpu;
    if (!worker.cpuset.empty() && !hwloc_bitmap_isset(pus.get(), cpu)) continue;
    std::uint64_t value = 0, total = 0, idle = 0;
    for (int i = 0; i < 8 && fields >> value; ++i) {
      total += value;
      if (i == 3 || i == 4) idle += value;  // idle, iowait
    }
    now.busy += total - idle;
    now.total += total;
    any = true;
  }
  if (any) {
    const cpu_times before = previous_cpu_[worker.id];
    previous_cpu_[worker.id] = now;
    if (now.total > before.total && now.busy >= before.busy)
      m.utilization = static_cast<double>(now.busy - before.busy) / static_cast<double>(now.total - before.total);
    else
      m.utilization = 0.0;
  }
  // /sys/devices/system/node/nodeN/meminfo: "Node N MemUsed:   123 kB".
  std::uint64_t used_kib = 0;
  bool found = false;
  for (int node : worker.numa_nodes) {
    std::ifstream meminfo(sources_.sys_root + "/devices/system/node/node" + std::to_string(node) + "/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
      std::istringstream fields(line);
      std::string word, number, key;
      std::uint64_t kib = 0;
      if (fields >> word >> number >> key >> kib && key == "MemUsed:") {
        used_kib += kib;
        found = true;
      }
    }
  }
  if (found) m.memory_used_bytes = used_kib * 1024;
  return m;
}

} // namespace dtf::hw
