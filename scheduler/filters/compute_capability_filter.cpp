#include "scheduler/filters/requirement_filter.hpp"

namespace dtf {

filter_verdict check_compute_capability(const task_requirements& req, const worker_capability& worker) {
  // Compute capability is a CUDA notion: ROCm and CPU workers pass (the kind
  // filter decides whether they may run the task at all).
  if (!req.min_cuda_compute || worker.kind != device_kind::cuda) return std::nullopt;
  if (!worker.compute_capability)
    return "compute capability unknown, required " + format_one_decimal(*req.min_cuda_compute);
  if (*worker.compute_capability + 1e-9 >= *req.min_cuda_compute) return std::nullopt;
  return "compute capability " + format_one_decimal(*worker.compute_capability) + " < " +
         format_one_decimal(*req.min_cuda_compute);
}

} // namespace dtf
