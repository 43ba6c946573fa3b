#include "scheduler/filters/requirement_filter.hpp"

namespace dtf {

filter_verdict check_memory(const task_requirements& req, const worker_capability& worker) {
  if (!(req.min_memory_gb > 0.0)) return std::nullopt;
  const double have_gb = memory_gb(worker);
  // `_gb` is GiB (2^30 bytes), the unit probes report and messages name. A
  // small tolerance: "16 GB" fleets are often 15.99 GiB after unit conversion.
  if (have_gb + 1e-6 >= req.min_memory_gb) return std::nullopt;
  return "memory " + format_one_decimal(have_gb) + " GiB < required " + format_one_decimal(req.min_memory_gb) + " GiB";
}

} // namespace dtf
