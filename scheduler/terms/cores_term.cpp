#include "scheduler/terms/score_term.hpp"

#include <cmath>

namespace dtf {

namespace {
double cores(const term_context& ctx) {
  if (ctx.worker.cores <= 0) return 0.0;
  return std::log2(1.0 + ctx.worker.cores) / std::log2(257.0);
}
} // namespace

const score_term cores_term{"cores", 0.0, 1.0, &cores};

} // namespace dtf
