#pragma once
// CPU workers from an hwloc topology: one per package (default) or per NUMA
// node. Their PU sets never overlap and together cover the machine; each NUMA
// node's memory is shared out over the workers whose PUs it serves, so the
// workers' memory sums to the machine's.
#include "hw/topology.hpp"
#include "scheduler/model/worker.hpp"

#include <vector>

namespace dtf::hw {

enum class cpu_grouping { package, numa };

/// Ids are "cpu-pkg<L>" / "cpu-numa<L>" with hwloc's logical index L; PUs no
/// group covers (a machine without packages, say) form "cpu-other".
std::vector<worker_capability> probe_cpu_workers(const topology& topo, cpu_grouping grouping);

} // namespace dtf::hw
