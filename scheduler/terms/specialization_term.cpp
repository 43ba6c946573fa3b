#include "scheduler/terms/score_term.hpp"

namespace dtf {

namespace {
double specialization(const term_context& ctx) { return ctx.view.specialization_value(ctx.t, ctx.worker_index); }
} // namespace

const score_term specialization_term{"specialization", -1.0, 1.0, &specialization};

} // namespace dtf
