#pragma once
// AMD devices as the scheduler should see them: a GPU split into compute
// partitions (an MI300 in CPX, TPX, DPX or QPX mode) shows as several devices
// on one PCI device, each with its own HIP ordinal and so its own worker; an
// APU (MI300A) has no memory of its own but its package's.
#include "hw/topology.hpp"
#include "scheduler/model/worker.hpp"

#include <string>
#include <vector>

namespace dtf::hw {

/// For the ROCm records in `gpus` (ids assigned), grouped by PCI bus id in id
/// order, a group of n > 1 being the partitions of one device:
/// - names "<model> (partition k of n)" so partitions of one device differ;
/// - the label "partition:<mode>": kept when a probe read the mode, else
///   deduced from n and the model's XCD count (n = XCDs is CPX; 2, 3, 4 are
///   DPX, TPX, QPX), else left out; either of the last two adds one line to
///   *notes, since the mode was not read;
/// - compute units: the model's figure divided by n where no probe gave them;
/// - an APU (by model, or the label "apu" a probe set) gets the label "apu"
///   and, without a memory figure, the memory of its NUMA nodes in `topo`,
///   divided by n.
void describe_amd_devices(const topology& topo, std::vector<worker_capability>& gpus, std::vector<std::string>* notes);

/// "partition:" + the mode in lower case ("CPX\n" -> "partition:cpx").
std::string partition_label(const std::string& mode);

} // namespace dtf::hw
