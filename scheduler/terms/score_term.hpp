#pragma once
// Score terms (Kubernetes "score plugins"): each maps one aspect of a
// (task, worker) pair to a normalized value in a documented, bounded range so
// that no raw quantity (gigabytes, cores, seconds) dominates the weighted sum.
// One file per term under scheduler/terms/; weights and switches live in one
// table (weighted_score.cpp).
#include "scheduler/core/scheduler_core.hpp"

#include <string_view>

namespace dtf {

/// What a term may look at for one (task, worker) pair.
struct term_context {
  const task& t;
  std::size_t worker_index;
  const worker_capability& worker;
  const scheduler_view& view;
  double now_s = 0.0;
  /// Predicted slot-free time + predicted duration on this worker, seconds from now.
  double predicted_finish_s = 0.0;
  /// The best (smallest) predicted finish among the candidates being compared.
  double best_predicted_finish_s = 0.0;
};

struct score_term {
  std::string_view name;
  double min_value;  // documented range; values are clamped into it
  double max_value;
  double (*value)(const term_context&);
};

// The terms, one file each.
/// [0,1] position of the worker's kind in the task's preference list: first 1, last 1/n.
extern const score_term hardware_match_term;
/// [0,1] saturating memory margin: (free - required) / total.
extern const score_term memory_margin_term;
/// [0,1) CUDA workers: m/(1+m), m = capability above the requirement (or above 6.0); others 0.
extern const score_term compute_capability_term;
/// [0,1] log-scaled cores: log2(1+cores)/log2(257), saturating at 256.
extern const score_term cores_term;
/// [0,1] 1 when the worker's name contains the preferred (soft) device name.
extern const score_term device_match_term;
/// [-1,1] specialization of the worker for (type, family): success rate and relative speed.
extern const score_term specialization_term;
/// [0,1] model affinity: same model warm 1, same family 0.6, learned link up to 0.4.
extern const score_term affinity_term;
/// [-1,1] live metrics (utilization, temperature, power headroom); 0 when absent.
extern const score_term efficiency_term;
/// [-1,0] load penalty: -running/slots.
extern const score_term load_term;
/// (0,1] predicted finish relative to the best candidate: best/this.
extern const score_term predicted_finish_term;

} // namespace dtf
