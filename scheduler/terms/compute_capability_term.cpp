#include "scheduler/terms/score_term.hpp"

namespace dtf {

namespace {
constexpr double baseline_capability = 6.0;  // when the task names no minimum

double compute_capability(const term_context& ctx) {
  if (ctx.worker.kind != device_kind::cuda || !ctx.worker.compute_capability) return 0.0;
  const double base = ctx.t.requirements.min_cuda_compute.value_or(baseline_capability);
  const double margin = *ctx.worker.compute_capability - base;
  if (!(margin > 0.0)) return 0.0;
  return margin / (1.0 + margin);
}
} // namespace

const score_term compute_capability_term{"compute_capability", 0.0, 1.0, &compute_capability};

} // namespace dtf
