#pragma once
// Scarcity: a profile that pending tasks can run nowhere else is left to them
// by a task that has another good place. No state of its own: it reads the
// fleet's exclusive classes and the pending queues.
#include "scheduler/core/class_arrivals.hpp"
#include "scheduler/core/decision_cache.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/pending_queue.hpp"

#include <cstddef>
#include <cstdint>

namespace dtf {

/// Pending tasks that only profile p can run.
std::size_t exclusive_pending(const fleet_index& fleet, const pending_queue& queue, std::uint32_t p);
/// Whether any pending task can run on one profile only.
bool any_exclusive_pending(const fleet_index& fleet, const pending_queue& queue);
/// Whether tasks that can run on one profile only keep arriving (class_arrivals::rate_per_s).
bool any_exclusive_arriving(const fleet_index& fleet, const class_arrivals& arrivals, double now_s);
/// Whether task t (of requirement class `own`, decided at now_s) should leave
/// profile p to the pending tasks only p can run: it would delay them by
/// about here / slots each, which costs more than running t on the best other
/// profile it fits (open_best - here). That profile is a free one, or a busy
/// one where t's prediction comes from its model's own history: its earliest
/// predicted slot (an occupant past its predicted end is taken to run on as
/// long again as it has overrun) plus t's run there -- only where t may wait
/// (`busy_alternatives`: the policy defers; waiting for a busy profile is a
/// deferral). `avoided`: a worker t must not use. `query`: t's prepared query
/// when t is not the decision's task (decision_cache::predicted_on).
bool reserved(const task& t, std::uint32_t own, std::uint32_t p, std::size_t avoided, const fleet_index& fleet,
              const pending_queue& queue, decision_cache& cache, const execution_predictor& predictor, double now_s,
              bool busy_alternatives, const execution_predictor::query* query = nullptr);

} // namespace dtf
