#pragma once
// How a decision was made, term by term: what `dtf explain`, `/tasks/ID` and
// the kept explanations show.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dtf {

/// One term of a score: its normalized value (documented range per term),
/// its weight, and the weighted contribution.
struct term_value {
  std::string name;
  double value = 0.0;
  double weight = 0.0;
  double contribution = 0.0;
};

struct candidate_explanation {
  std::string worker_id;
  bool feasible = false;
  std::string rejection;            // filter reason when !feasible, e.g. "memory 10 GB < 16 GB"
  bool has_free_slot = false;
  std::vector<term_value> terms;    // empty when !feasible
  double total = 0.0;
  double predicted_duration_s = 0.0;  // in the core's clock (scheduler_view)
};

struct decision_explanation {
  std::string task_id;
  std::string policy;
  std::vector<candidate_explanation> candidates;  // in worker registration order
  std::optional<std::string> winner;              // nullopt: deferred or unplaceable
  std::string outcome;                            // "placed", "deferred: ...", "unplaceable: ..."
};

/// A task no registered worker could ever run, with each worker's reason.
struct unplaceable_task {
  std::string task_id;
  std::vector<std::pair<std::string, std::string>> reasons;  // worker id, reason
};

/// A task no connected worker can run that a lost worker could: it waits for
/// that worker to register again.
struct stranded_task {
  std::string task_id;
  std::vector<std::string> lost_workers;                     // ids, in the order they left
  std::vector<std::pair<std::string, std::string>> reasons;  // connected worker id, reason
};

} // namespace dtf
