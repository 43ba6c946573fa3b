#include "scheduler/terms/score_term.hpp"

#include <algorithm>

namespace dtf {

namespace {
double hardware_match(const term_context& ctx) {
  const auto& kinds = ctx.t.requirements.hardware;
  if (kinds.empty()) return ctx.worker.kind == device_kind::cpu ? 1.0 : 0.0;
  auto it = std::find(kinds.begin(), kinds.end(), ctx.worker.kind);
  if (it == kinds.end()) return 0.0;
  const auto n = static_cast<double>(kinds.size());
  return (n - static_cast<double>(it - kinds.begin())) / n;
}
} // namespace

const score_term hardware_match_term{"hardware_match", 0.0, 1.0, &hardware_match};

} // namespace dtf
