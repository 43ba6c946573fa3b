#pragma once
// Hard requirements, one small filter per requirement (Kubernetes-style): each
// returns nullopt when the worker passes, or the reason it rejects the worker.
// The reasons are what `explain` and "unplaceable" messages print.
#include "scheduler/model/task.hpp"
#include "scheduler/model/worker.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dtf {

/// nullopt: the worker passes; otherwise the rejection reason.
using filter_verdict = std::optional<std::string>;

using requirement_check = filter_verdict (*)(const task_requirements&, const worker_capability&);

struct requirement_filter {
  std::string_view name;
  requirement_check check;
};

// One file each under scheduler/filters/.
/// Kind in `hardware` (empty = cpu only: CPU work never lands on GPU workers).
filter_verdict check_device_kind(const task_requirements& req, const worker_capability& worker);
/// Device memory for GPU kinds, host memory for CPU workers.
filter_verdict check_memory(const task_requirements& req, const worker_capability& worker);
/// CUDA workers only: compute capability >= min_cuda_compute.
filter_verdict check_compute_capability(const task_requirements& req, const worker_capability& worker);
/// ROCm workers only: gfx arch in gfx_arch (empty = any); "gfx90a:xnack-" counts as "gfx90a".
filter_verdict check_gfx_arch(const task_requirements& req, const worker_capability& worker);
/// The worker's name contains one of require_device (case-insensitive).
filter_verdict check_require_device(const task_requirements& req, const worker_capability& worker);
/// The worker carries every label.
filter_verdict check_labels(const task_requirements& req, const worker_capability& worker);
/// cores >= min_cores.
filter_verdict check_min_cores(const task_requirements& req, const worker_capability& worker);

/// Every requirement filter, in the order they are applied.
std::span<const requirement_filter> requirement_filters();

/// The first filter's rejection, or nullopt when the worker can run the task
/// (slots aside).
filter_verdict first_rejection(const task_requirements& req, const worker_capability& worker);

/// Slot check: nullopt when running < slots, else "no free slot (2/2 running)".
filter_verdict check_free_slot(int running, int slots);

// Small helpers shared by filters and terms.
/// Case-insensitive substring test.
bool contains_case_insensitive(std::string_view haystack, std::string_view needle);
/// "[a, b]" for reasons.
std::string bracket_list(std::span<const std::string> items);
/// One decimal, e.g. "10.0".
std::string format_one_decimal(double value);

} // namespace dtf
