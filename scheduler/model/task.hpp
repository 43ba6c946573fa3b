#pragma once
// The task model: what users write in a suite, after defaults and matrix expansion.
#include "scheduler/model/device_kind.hpp"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtf {

enum class task_type { benchmark, test, custom };
std::optional<task_type> parse_task_type(std::string_view text);
std::string_view to_string(task_type type);

/// Hard and soft requirements of a task. Hard ones are checked by the filters.
struct task_requirements {
  /// Acceptable device kinds, most preferred first. Empty means {cpu}.
  std::vector<device_kind> hardware;
  /// Device memory for GPU kinds, host memory for CPU workers.
  double min_memory_gb = 0.0;
  /// Minimum CUDA compute capability (cuda workers only).
  std::optional<double> min_cuda_compute;
  /// Acceptable ROCm gfx architectures, e.g. "gfx908" (rocm workers only); empty = any.
  std::vector<std::string> gfx_arch;
  /// Soft: preferred device name (substring match, case-insensitive).
  std::optional<std::string> device;
  /// Hard: the worker's name must contain one of these (case-insensitive).
  std::vector<std::string> require_device;
  /// Hard: the worker must carry every label.
  std::vector<std::string> labels;
  /// Hard: minimum cores (CPU workers: cores; GPU workers: SMs / compute units).
  int min_cores = 0;
};

struct task {
  std::string id;
  task_type type = task_type::custom;
  int priority = 0;               // higher first
  std::string model;              // drives affinity, specialization, prediction
  int batch_size = 0;             // 0 = not given
  task_requirements requirements;
  std::vector<std::string> command;  // argv, placeholders already substituted
  std::map<std::string, std::string> env;
  std::string working_directory;  // empty = inherit
  double timeout_s = 600.0;  // 0 (or not finite): none (see has_timeout)
  int retries = 0;
  /// Submission order, assigned by whoever submits; the explicit tie-break.
  std::uint64_t sequence = 0;
  /// Where the task came from (file:line), for error messages; may be empty.
  std::string origin;
};

/// Whether the task is killed past a run time: timeout_s positive and finite.
/// Simulated tasks carry none (the simulator does not kill runs).
inline bool has_timeout(const task& t) { return std::isfinite(t.timeout_s) && t.timeout_s > 0.0; }

} // namespace dtf
