#include "hw/probe.hpp"

#include "hw/cpu_probe.hpp"
#include "hw/cuda_driver_probe.hpp"
#include "hw/gpu_from_topology.hpp"
#include "hw/gpu_merge.hpp"
#include "hw/gpu_partitions.hpp"
#include "hw/hip_probe.hpp"
#include "hw/nvml_probe.hpp"
#include "hw/nvml_workers.hpp"
#include "hw/topology.hpp"

#include <algorithm>
#include <optional>

namespace dtf::hw {
namespace {

// NVML adds NVLink labels and MIG instances to CUDA GPUs (nvml_workers.hpp).
void apply_nvml_if_present(std::vector<worker_capability>& gpus, const std::string& nvml_name,
                           std::vector<std::string>* warnings, std::vector<std::string>* notes) {
  const bool any_cuda = std::any_of(gpus.begin(), gpus.end(), [](const auto& w) { return w.kind == device_kind::cuda; });
  if (!any_cuda) return;
  std::string warning;
  const auto nvml = nvml_library::load(nvml_name, &warning);
  if (!warning.empty() && warnings) warnings->push_back(warning);
  if (nvml) apply_nvml(*nvml, gpus, notes);
}

} // namespace

std::vector<worker_capability> probe_workers(const probe_options& options, std::vector<std::string>* warnings,
                                             std::vector<std::string>* notes) {
  std::optional<topology> from_file;
  if (options.topology_xml) from_file.emplace(topology::load_xml(*options.topology_xml));
  const topology& topo = from_file ? *from_file : topology::this_machine();
  std::vector<worker_capability> workers =
      probe_cpu_workers(topo, options.by_numa ? cpu_grouping::numa : cpu_grouping::package);
  std::vector<worker_capability> from_drivers;
  if (!options.topology_xml && options.probe_gpu_libraries) {
    for (gpu_probe_result probed : {probe_cuda_driver(options.libraries.cuda), probe_hip(options.libraries.hip, options.sys_root)}) {
      if (probed.warning && warnings) warnings->push_back(*probed.warning);
      for (auto& gpu : probed.gpus) from_drivers.push_back(std::move(gpu));
    }
  }
  std::vector<worker_capability> gpus = merge_gpu_records(topo, std::move(from_drivers), gpus_from_topology(topo), options.sys_root);
  describe_amd_devices(topo, gpus, notes);
  if (!options.topology_xml && options.probe_gpu_libraries) apply_nvml_if_present(gpus, options.libraries.nvml, warnings, notes);
  for (auto& gpu : gpus) workers.push_back(std::move(gpu));
  return workers;
}

} // namespace dtf::hw
