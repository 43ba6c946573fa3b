#include "hw/probe.hpp"

#include "hw/cpu_probe.hpp"
#include "hw/gpu_from_topology.hpp"
#include "hw/topology.hpp"

namespace dtf::hw {

std::vector<worker_capability> probe_workers(const probe_options& options, std::vector<std::string>* warnings) {
  const topology topo = options.topology_xml ? topology::load_xml(*options.topology_xml) : topology::load_this_machine();
  std::vector<worker_capability> workers =
      probe_cpu_workers(topo, options.by_numa ? cpu_grouping::numa : cpu_grouping::package);
  std::vector<worker_capability> gpus = gpus_from_topology(topo);
  (void)warnings;
  assign_gpu_ids(gpus);
  for (auto& gpu : gpus) workers.push_back(std::move(gpu));
  return workers;
}

} // namespace dtf::hw
