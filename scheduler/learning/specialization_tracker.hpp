#pragma once
// Specialization: per worker and per (task type, model family), how reliably
// and how fast the worker runs that kind of work compared with the fleet.
// Updated on every result. Models outside the built-in families count as
// their own family (their name), so specialization still applies to them.
#include "scheduler/model/string_interner.hpp"
#include "scheduler/model/task.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtf {

/// The family key specialization uses: model_family(model), or the model name.
std::string specialization_family(std::string_view model);

struct specialization_entry {
  std::string worker_id;
  task_type type = task_type::custom;
  std::string family;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  double success_rate = 0.5;    // Beta(1,1)-smoothed: (s+1)/(s+f+2)
  double relative_speed = 1.0;  // fleet mean duration / this worker's, clipped to [0.25, 4]
  double mean_duration_s = 0.0; // of successful runs, batch-normalized
  double value = 0.0;           // the score term, [-1, 1]
};

class specialization_tracker {
public:
  using key = string_interner::key;
  static constexpr key no_key = ~key{0};
  static constexpr double min_relative_speed = 0.25;
  static constexpr double max_relative_speed = 4.0;

  key worker_key(std::string_view worker_id);
  key family_key(std::string_view family);
  key find_worker(std::string_view worker_id) const;
  key find_family(std::string_view family) const;

  /// One finished attempt. `normalized_duration_s` (successful runs only) is
  /// ignored when absent, negative or not finite.
  void record(key worker, task_type type, key family, bool success, std::optional<double> normalized_duration_s);
  void record(std::string_view worker_id, task_type type, std::string_view family, bool success,
              std::optional<double> normalized_duration_s);

  /// The term: [-1, 1]; 0 without history. Half success (2*rate-1), half
  /// speed (log(relative_speed)/log(4)).
  double value(key worker, task_type type, key family) const;
  double value(std::string_view worker_id, task_type type, std::string_view family) const;

  /// An order of workers by their term for (type, family) that no later result
  /// of other workers changes (see profile_member_order). `fleet_relative`:
  /// the term is (up to the speed clamps) `key` + fleet_log_speed_offset(type,
  /// family), and never more than max(that, 0) -- the fleet mean moves every
  /// such worker alike. Otherwise `key` is the term itself (no cell: 0; no
  /// duration yet: the success part alone).
  struct ranking {
    bool fleet_relative = false;
    double key = 0.0;
  };
  ranking rank(key worker, task_type type, key family) const;
  /// Half the log4 of the fleet's mean duration for (type, family); 0 without one.
  double fleet_log_speed_offset(task_type type, key family) const;
  /// Whether any cell exists for the worker (a worker without one scores 0 everywhere).
  bool has_history(key worker) const { return worker < cells_per_worker_.size() && cells_per_worker_[worker] > 0; }

  /// Every (worker, type, family) seen, sorted by worker id, type, family.
  std::vector<specialization_entry> entries() const;
  std::size_t size() const { return cells_.size(); }

private:
  struct cell {
    std::uint64_t successes = 0;
    std::uint64_t failures = 0;
    double duration_sum_s = 0.0;
    std::uint64_t duration_count = 0;
  };
  struct fleet_cell {
    double duration_sum_s = 0.0;
    std::uint64_t duration_count = 0;
  };
  static std::uint64_t cell_key(key worker, task_type type, key family);
  static std::uint64_t fleet_key(task_type type, key family);
  double value_of(const cell& c, task_type type, key family, double* rate, double* speed) const;

  string_interner workers_;
  string_interner families_;
  std::unordered_map<std::uint64_t, cell> cells_;        // looked up; entries() sorts
  std::unordered_map<std::uint64_t, fleet_cell> fleet_;
  std::vector<std::uint32_t> cells_per_worker_;  // by worker key
};

} // namespace dtf
