#pragma once
// Live metrics of a worker, sampled on demand: NVML for CUDA GPUs, amdgpu
// sysfs for ROCm GPUs, /proc/stat and the NUMA nodes' meminfo for CPU workers.
// These feed the scheduler's efficiency term.
#include "scheduler/model/worker.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dtf::hw {

class nvml_library;

struct metrics_sources {
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
  std::string nvml_library = "libnvidia-ml.so.1";
};

class metrics_sampler {
public:
  explicit metrics_sampler(metrics_sources sources = {});
  ~metrics_sampler();
  metrics_sampler(const metrics_sampler&) = delete;
  metrics_sampler& operator=(const metrics_sampler&) = delete;

  /// A CPU worker's utilization is its PUs' busy share since the previous
  /// sample of the same worker id (since boot on the first); its memory used
  /// is its NUMA nodes' MemUsed. GPUs: what NVML / sysfs report now.
  worker_metrics sample(const worker_capability& worker);

  /// Problems met so far (a failing NVML, ...), each said once.
  const std::vector<std::string>& warnings() const { return warnings_; }

private:
  struct cpu_times {
    std::uint64_t busy = 0;
    std::uint64_t total = 0;
  };
  worker_metrics sample_cpu(const worker_capability& worker);
  worker_metrics sample_cuda(const worker_capability& worker);

  metrics_sources sources_;
  std::map<std::string, cpu_times> previous_cpu_;  // by worker id
  bool nvml_tried_ = false;
  std::unique_ptr<nvml_library> nvml_;
  std::vector<std::string> warnings_;
};

} // namespace dtf::hw
