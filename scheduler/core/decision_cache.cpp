#include "scheduler/core/decision_cache.hpp"

#include <algorithm>

namespace dtf {

void decision_cache::begin(const task& t, task_handle handle, const task_table& tasks,
                           const execution_predictor& predictor, const affinity_map& affinity,
                           const specialization_tracker& specialization, std::size_t profiles) {
  auto& c = current_;
  c.t = &t;
  c.handle = handle;
  if (handle != no_handle && &tasks[handle].body == &t) c.query = tasks.query(handle, predictor);
  else c.query = predictor.prepare(t);
  if (handle != no_handle) {
    c.affinity_model = tasks[handle].affinity_model;
    c.specialization_family = tasks[handle].specialization_family;
  } else {
    c.affinity_model = affinity.find_model(t.model);
    c.specialization_family = specialization.find_family(specialization_family(t.model));
  }
  c.deferred_ahead = 0;
  c.ending_turn = std::numeric_limits<std::size_t>::max();
  c.profiles = {};
  c.avoided = no_worker_index;
  if (duration_s_.size() < profiles) {
    duration_s_.resize(profiles);
    level_.resize(profiles);
    stamp_.resize(profiles, 0);
  }
  if (++generation_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0);
    generation_ = 1;
  }
}

void decision_cache::hold(std::uint32_t profile, double duration_s, prediction_level level) {
  duration_s_[profile] = duration_s;
  level_[profile] = level;
  stamp_[profile] = generation_;
}

} // namespace dtf
