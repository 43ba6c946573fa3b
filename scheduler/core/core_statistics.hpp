#pragma once
// The core's counters: tasks by type and status (plus "planned" for dry runs),
// durations of successful attempts, model families submitted, metric names
// reported, affinity of placements, decisions and deferrals, and the span of
// time the core has seen. Builds scheduler_stats with what other units own.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/model/task_result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>

namespace dtf {

class core_statistics {
public:
  /// The core was called at now_s (non-finite times are ignored).
  void observe(double now_s);
  double first_now_s() const { return first_now_s_; }
  double last_now_s() const { return last_now_s_; }

  /// A new task with status pending, and its model family.
  void count_submitted(const task_record& r);
  /// r's status becomes s (counted).
  void set_status(task_record& r, task_status s);
  /// r leaves its status for "planned" (a dry run's release).
  void count_planned(task_record& r);
  /// A placement of a task with a model, with the affinity its model had on the worker.
  void count_affinity(double affinity_value);
  void count_decision() { ++decisions_; }
  void count_deferral() { ++deferrals_; }
  /// A result's metrics and, for a valid success, its duration.
  void count_result(const task_result& result, bool success_with_duration);

  /// What stats_summary() shows besides the counters here.
  struct others {
    std::string policy;
    const fleet_index& fleet;
    const affinity_map& affinity;
    prediction_error_summary predictions;
    std::uint64_t backups_started = 0;
    std::uint64_t backups_won = 0;
    double backup_wasted_s = 0.0;
    std::uint64_t probes_started = 0;
    std::uint64_t probes_cut = 0;
    double probe_cut_s = 0.0;
    std::uint64_t lookaheads = 0;
    std::size_t pending = 0;
  };
  scheduler_stats summary(const others& o) const;
  const std::map<std::string, std::uint64_t>& family_distribution() const { return family_distribution_; }
  const std::map<std::string, std::uint64_t>& metric_counts() const { return metric_counts_; }

private:
  // Status buckets: the task_status values, then "planned".
  static constexpr std::size_t planned_bucket = static_cast<std::size_t>(task_status::lost) + 1;
  static constexpr std::size_t status_buckets = planned_bucket + 1;
  static std::string_view bucket_name(std::size_t b);
  void count(const task_record& r, std::size_t bucket, int delta);

  std::array<std::array<std::uint64_t, status_buckets>, 3> counts_{};  // by task type, bucket
  std::array<double, 3> duration_sum_s_{};
  std::array<std::uint64_t, 3> duration_count_{};
  std::map<std::string, std::uint64_t> family_distribution_;
  std::map<std::string, std::uint64_t> metric_counts_;
  affinity_stats affinity_counts_;
  std::uint64_t decisions_ = 0;
  std::uint64_t deferrals_ = 0;
  double first_now_s_ = std::numeric_limits<double>::infinity();
  double last_now_s_ = -std::numeric_limits<double>::infinity();
};

} // namespace dtf
