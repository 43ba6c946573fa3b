#pragma once
// What NVML adds to the CUDA workers of a live probe: the label "nvlink" for
// a GPU with an active NVLink, and for a GPU in MIG mode one worker per MIG
// instance in its place (CUDA runs on the instances, never on the parent).
#include "hw/nvml_probe.hpp"
#include "scheduler/model/worker.hpp"

#include <string>
#include <vector>

namespace dtf::hw {

/// Applies `nvml`'s view to the CUDA records in `gpus` (ids assigned, as
/// merge_gpu_records leaves them) and assigns ids again. A MIG instance keeps
/// its parent's kind, compute capability, bus id, ordinal (device_index),
/// locality and labels, and takes the instance's name, memory and SM count,
/// visible_device "MIG-<uuid>" and the label "mig:<profile>" ("mig:3g.71gb").
/// A GPU in MIG mode without instances offers no worker, and a MIG mode change
/// waiting for a reset: each adds a line to *notes.
void apply_nvml(const nvml_library& nvml, std::vector<worker_capability>& gpus, std::vector<std::string>* notes);

} // namespace dtf::hw
