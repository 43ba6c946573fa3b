#pragma once
// A reference, not a policy: list scheduling that knows every task's true run
// time (in arrival order, priority high first among equal arrivals, then
// longest first; each task on the slot where it would finish earliest,
// waiting for a busy one if that is sooner). It respects arrivals, requirements, workers joining and leaving
// and slowdowns, and always pays the model load time, so its schedule is
// feasible: what a scheduler could reach with perfect predictions. The
// benchmark prints it beside the policies to show the headroom.
#include "scheduler/model/worker.hpp"
#include "scheduler/simulation/fleet_dynamics.hpp"
#include "scheduler/simulation/simulator.hpp"
#include "scheduler/simulation/trace.hpp"

#include <vector>

namespace dtf {

/// Fills makespan, mean/p95/priority-weighted completion, busy slot time,
/// completed, censored (finishing after horizon_s > 0) and unscheduled;
/// policy "clairvoyant"; with record_timeline, the timeline too (its
/// predicted_s: the true run time).
simulation_result clairvoyant_schedule(const trace& tasks, const std::vector<worker_capability>& fleet,
                                       const fleet_dynamics& dynamics = {}, double horizon_s = 0.0,
                                       bool record_timeline = false);

} // namespace dtf
