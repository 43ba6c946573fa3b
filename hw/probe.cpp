#include "hw/probe.hpp"

#include "hw/cpu_probe.hpp"
#include "hw/cuda_driver_probe.hpp"
#include "hw/gpu_from_topology.hpp"
#include "hw/gpu_merge.hpp"
#include "hw/hip_probe.hpp"
#include "hw/topology.hpp"

#include <optional>

namespace dtf::hw {

std::vector<worker_capability> probe_workers(const probe_options& options, std::vector<std::string>* warnings) {
  std::optional<topology> from_file;
  if (options.topology_xml) from_file.emplace(topology::load_xml(*options.topology_xml));
  const topology& topo = from_file ? *from_file : topology::this_machine();
  std::vector<worker_capability> workers =
      probe_cpu_workers(topo, options.by_numa ? cpu_grouping::numa : cpu_grouping::package);
  std::vector<worker_capability> from_drivers;
  if (!options.topology_xml && options.probe_gpu_libraries) {
    for (gpu_probe_result probed : {probe_cuda_driver(options.libraries.cuda), probe_hip(options.libraries.hip)}) {
      if (probed.warning && warnings) warnings->push_back(*probed.warning);
      for (auto& gpu : probed.gpus) from_drivers.push_back(std::move(gpu));
    }
  }
  for (auto& gpu : merge_gpu_records(topo, std::move(from_drivers), gpus_from_topology(topo)))
    workers.push_back(std::move(gpu));
  return workers;
}

} // namespace dtf::hw
