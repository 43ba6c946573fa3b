#include "scheduler/terms/score_term.hpp"

#include <cmath>

namespace dtf {

namespace {
// Relative to the best candidate, so seconds never dominate: the fastest
// finisher gets 1, one that finishes twice as late gets 0.5.
double predicted_finish(const term_context& ctx) {
  const double mine = ctx.predicted_finish_s;
  const double best = ctx.best_predicted_finish_s;
  if (!(mine > 0.0) || !std::isfinite(mine)) return 1.0;
  if (!(best > 0.0) || !std::isfinite(best)) return 1.0;
  return best / mine;
}
} // namespace

const score_term predicted_finish_term{"predicted_finish", 0.0, 1.0, &predicted_finish};

} // namespace dtf
