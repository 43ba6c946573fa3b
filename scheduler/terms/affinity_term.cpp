#include "scheduler/terms/score_term.hpp"

namespace dtf {

namespace {
double affinity(const term_context& ctx) { return ctx.view.affinity_value(ctx.t, ctx.worker_index); }
} // namespace

const score_term affinity_term{"affinity", 0.0, 1.0, &affinity};

} // namespace dtf
