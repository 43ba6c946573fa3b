#include "scheduler/terms/score_term.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

namespace {
// Mean of the signals the worker reports, each in [-1, 1]; neutral (0) when none.
double efficiency(const term_context& ctx) {
  const auto& m = ctx.view.metrics(ctx.worker_index);
  double sum = 0.0;
  int count = 0;
  auto add = [&](double v) {
    if (std::isfinite(v)) {
      sum += std::clamp(v, -1.0, 1.0);
      ++count;
    }
  };
  if (m.utilization) add(1.0 - 2.0 * *m.utilization);           // idle +1, saturated -1
  if (m.temperature_c) add((80.0 - *m.temperature_c) / 20.0);    // 60 C +1, 100 C -1
  if (m.power_w && m.power_limit_w && *m.power_limit_w > 0.0)
    add(2.0 * (1.0 - *m.power_w / *m.power_limit_w) - 1.0);      // headroom
  return count == 0 ? 0.0 : sum / count;
}
} // namespace

const score_term efficiency_term{"efficiency", -1.0, 1.0, &efficiency};

} // namespace dtf
