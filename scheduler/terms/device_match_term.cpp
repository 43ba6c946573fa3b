#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/terms/score_term.hpp"

namespace dtf {

namespace {
double device_match(const term_context& ctx) {
  const auto& preferred = ctx.t.requirements.device;
  if (!preferred || preferred->empty()) return 0.0;
  return contains_case_insensitive(ctx.worker.name, *preferred) ? 1.0 : 0.0;
}
} // namespace

const score_term device_match_term{"device_match", 0.0, 1.0, &device_match};

} // namespace dtf
