#pragma once
// Statistics equivalent to the original get_scheduler_stats(): tasks by type
// and status, worker utilization (every registered worker, idle ones with 0;
// wall seconds, see slot_utilization.hpp),
// average execution time by type, specialization, affinity, model-family
// distribution, performance-metric counts, predictor accuracy. All numbers finite.
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/prediction_error.hpp"
#include "scheduler/learning/specialization_tracker.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dtf {

struct worker_utilization {
  std::string worker_id;
  int running = 0;             // attempts running now
  int slots = 0;
  double busy_s = 0.0;         // wall slot-seconds occupied (finished attempts + in flight)
  double utilization = 0.0;    // slot_utilization(busy_s, wall_s, slots), [0, 1]
  std::uint64_t tasks_completed = 0;  // results recorded on this worker
};

struct execution_time_stats {
  std::uint64_t count = 0;   // successful attempts with a valid duration
  double average_s = 0.0;
};

struct affinity_stats {
  std::uint64_t placements = 0;         // placements of tasks that name a model
  std::uint64_t same_model_hits = 0;    // the model was warm on the chosen worker
  std::uint64_t same_family_hits = 0;   // a model of its family was
  std::uint64_t learned_link_hits = 0;  // a linked model was
  double hit_rate = 0.0;                // same_model_hits / placements
  std::size_t learned_links = 0;
  std::uint64_t lookaheads = 0;         // warm-model tasks placed ahead of the head task
};

struct scheduler_stats {
  std::string policy;
  /// type -> status -> count; statuses are task_status names plus "planned".
  std::map<std::string, std::map<std::string, std::uint64_t>> tasks_by_type_and_status;
  std::map<std::string, std::uint64_t> tasks_by_status;
  std::vector<worker_utilization> workers;  // registration order
  double wall_s = 0.0;                      // wall time the core has seen (first to last call)
  double utilization = 0.0;                 // the fleet's: slot_utilization(sum busy_s, wall_s, sum slots)
  std::map<std::string, execution_time_stats> execution_time_by_type;
  std::vector<specialization_entry> specialization;
  affinity_stats affinity;
  /// family -> tasks submitted ("other": a model outside the families, "none": no model).
  std::map<std::string, std::uint64_t> model_family_distribution;
  /// metric name -> results that reported it.
  std::map<std::string, std::uint64_t> performance_metric_counts;
  prediction_error_summary predictions;     // placements' predictions against successful results
  std::uint64_t decisions = 0;   // placements
  std::uint64_t deferrals = 0;
  std::uint64_t backups_started = 0;  // backup attempts of overdue tasks
  std::uint64_t backups_won = 0;      // ... that finished first
  double backup_wasted_slot_s = 0.0;  // slot time of the attempts that lost a race (cancelled)
  std::uint64_t probes_started = 0;   // probes of untried devices (core/probes.hpp)
  std::uint64_t probes_cut = 0;       // ... cut off, their tasks queued again
  double probe_cut_slot_s = 0.0;      // slot time of the probes cut off
  std::size_t pending = 0;
  std::size_t running = 0;
};

} // namespace dtf
