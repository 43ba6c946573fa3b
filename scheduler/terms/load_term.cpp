#include "scheduler/terms/score_term.hpp"

namespace dtf {

namespace {
double load(const term_context& ctx) {
  const int slots = ctx.view.slots(ctx.worker_index);
  if (slots <= 0) return -1.0;
  return -static_cast<double>(ctx.view.running(ctx.worker_index)) / slots;
}
} // namespace

const score_term load_term{"load", -1.0, 0.0, &load};

} // namespace dtf
