#include "scheduler/terms/score_term.hpp"

namespace dtf {

namespace {
// Relative margin, not raw gigabytes: an 80 GB card must not outscore everything
// merely for being big. Live memory use (when reported) shrinks the free part.
double memory_margin(const term_context& ctx) {
  const double total_gb = memory_gb(ctx.worker);
  if (total_gb <= 0.0) return 0.0;
  double free_gb = total_gb;
  const auto& used = ctx.view.metrics(ctx.worker_index).memory_used_bytes;
  if (used) free_gb -= static_cast<double>(*used) / bytes_per_gb;
  const double required_gb = ctx.t.requirements.min_memory_gb > 0.0 ? ctx.t.requirements.min_memory_gb : 0.0;
  return (free_gb - required_gb) / total_gb;
}
} // namespace

const score_term memory_margin_term{"memory_margin", 0.0, 1.0, &memory_margin};

} // namespace dtf
