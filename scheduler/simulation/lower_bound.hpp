#pragma once
// A lower bound on the makespan any scheduler could reach on a trace and fleet
// (ignoring model load costs, which only add): the largest of
//  (a) the latest "arrival + duration on the task's fastest feasible device",
//  (b) the total minimum work over the total slots,
//  (c) the Lenstra-Shmoys-Tardos LP bound: the smallest T for which a
//      fractional assignment x_ij >= 0, sum_j x_ij = 1, per worker
//      sum_i p_ij x_ij <= slots_j T, x_ij = 0 where p_ij > T, exists
//      (binary search on T, each step an LP solved with GLPK).
// Tasks with equal duration vectors and workers of one class are aggregated,
// so the LP has (task classes x worker classes) columns; above a size limit
// durations are rounded DOWN to a geometric grid, which keeps it a lower bound.
#include <cstddef>
#include <vector>

namespace dtf {

struct lower_bound_instance {
  /// Per worker class: total slots (each slot runs one task at a time).
  std::vector<int> class_slots;
  struct job {
    double arrival_s = 0.0;
    /// Per worker class: true seconds, +infinity where the task cannot run.
    std::vector<double> duration_s;
  };
  /// Every job must be feasible on at least one class.
  std::vector<job> jobs;
};

struct lower_bound_options {
  bool use_lp = true;
  /// Above this many task classes, durations are rounded down to a grid; when
  /// even the coarsest grid leaves more (jobs that differ in where they can
  /// run), the LP is skipped (lp_s = 0).
  std::size_t max_lp_task_classes = 4000;
  /// Binary search stops when the bracket is within this fraction.
  double relative_tolerance = 1e-4;
};

struct lower_bound_result {
  double longest_task_s = 0.0;     // (a)
  double work_over_slots_s = 0.0;  // (b)
  double lp_s = 0.0;               // (c), 0 when not computed
  double value_s = 0.0;            // max of the above
  std::size_t lp_task_classes = 0;
  /// Grid ratio used to round durations down (1 = exact).
  double lp_rounding = 1.0;
};

lower_bound_result compute_lower_bound(const lower_bound_instance& instance, const lower_bound_options& options = {});

} // namespace dtf
