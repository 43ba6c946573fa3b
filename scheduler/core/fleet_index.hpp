#pragma once
// The fleet as the core sees it: registered workers (registration order is the
// tie-break), worker profiles (workers alike in everything filters, terms and
// the predictor read: one prediction per profile serves all its members),
// requirement classes (tasks with identical hard requirements share a
// feasible set: a union of profiles), and slot occupancy -- free members and
// full members by predicted end, per profile, and free feasible counts per
// class, kept current in O(log n) per placement or result.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/queue_key.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/run_clock.hpp"
#include "scheduler/model/worker.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dtf {

/// An attempt occupying one of a worker's slots.
struct slot_occupant {
  task_handle task = no_handle;
  double placed_at_s = 0.0;
  double expected_end_s = 0.0;  // placed + predicted, in the core's clock (attempt_slot::expected_end_s)
};

struct fleet_worker {
  worker_capability cap;
  int slots = 0;      // orders placed at once: its slots plus the prefetch queue
  int run_slots = 0;  // tasks it runs at once (the utilization's capacity)
  int running = 0;
  std::vector<slot_occupant> occupants;  // in placement order
  double earliest_end_s = std::numeric_limits<double>::infinity();  // min expected end over occupants
  worker_metrics metrics;
  affinity_map::key affinity_key = affinity_map::no_key;
  specialization_tracker::key specialization_key = specialization_tracker::no_key;
  execution_predictor::key device_key = execution_predictor::no_key;
  std::uint32_t profile = 0;
  double busy_s = 0.0;  // slot time of its ended attempts
  std::uint64_t completed = 0;
  bool has_free_slot() const { return running < slots; }
};

struct worker_profile {
  worker_capability representative;
  std::vector<std::size_t> members;       // ascending
  std::vector<std::size_t> free_members;  // ascending: running < slots
  // Full workers that run something, by predicted time their first slot frees.
  std::vector<std::pair<double, std::size_t>> full_by_end;  // sorted
  std::vector<std::uint32_t> classes;                        // requirement classes it passes
  std::vector<std::uint32_t> exclusive_classes;              // classes no other profile can run
  int total_slots = 0;                                       // over its members
};

struct requirement_class {
  task_requirements requirements;
  std::vector<std::size_t> feasible;    // worker indices, ascending
  std::vector<std::uint32_t> profiles;  // feasible profiles, ascending
  int free_feasible = 0;                // feasible workers with a free slot
};

class fleet_index {
public:
  /// Registers a worker (keys from the learning state); returns its index.
  std::size_t add(worker_capability cap, int slots, int run_slots, affinity_map::key affinity_key,
                  specialization_tracker::key specialization_key, execution_predictor::key device_key);
  /// Removes worker `index` (its occupants must already be gone or be moved
  /// by the caller): later workers move down by one; profiles and classes are
  /// rebuilt.
  void remove(std::size_t index);
  /// The index of a registered id, no_worker_index when unknown.
  std::size_t find(const std::string& worker_id) const;
  void set_metrics(std::size_t index, const worker_metrics& metrics) { workers_[index].metrics = metrics; }

  /// The class of a requirement set, created (with its feasible profiles) if new.
  std::uint32_t class_of(const task_requirements& requirements);
  /// The profiles whose workers pass the requirements, ascending (what
  /// class_of gives a new class), without creating a class.
  std::vector<std::uint32_t> feasible_profiles(const task_requirements& requirements) const;

  /// Occupies a slot of worker wi with an attempt of task h.
  void occupy(std::size_t wi, const slot_occupant& attempt);
  /// Frees the slot of task h's attempt on wi; its time up to now counts as busy.
  void release(std::size_t wi, task_handle h, double now_s);

  std::size_t size() const { return workers_.size(); }
  bool empty() const { return workers_.empty(); }
  const fleet_worker& worker(std::size_t i) const { return workers_[i]; }
  fleet_worker& worker(std::size_t i) { return workers_[i]; }
  const std::vector<fleet_worker>& workers() const { return workers_; }
  const std::vector<worker_capability>& capabilities() const { return capabilities_; }
  const worker_profile& profile(std::uint32_t p) const { return profiles_[p]; }
  std::size_t profile_count() const { return profiles_.size(); }
  const requirement_class& requirement(std::uint32_t c) const { return classes_[c]; }
  std::size_t class_count() const { return classes_.size(); }
  /// Classes with exactly one feasible profile.
  const std::vector<std::uint32_t>& exclusive_classes() const { return exclusive_class_ids_; }
  /// Workers added or removed so far (deferral certificates check it).
  std::uint64_t structure_changes() const { return structure_changes_; }
  /// Attempts running now, over all workers.
  std::size_t running() const { return running_; }

  /// Seconds of the core's clock per second of worker wi's (run_clock.hpp).
  double scheduler_s_per_worker_s(std::size_t wi) const { return dtf::scheduler_s_per_worker_s(workers_[wi].cap); }
  /// The same for every member of profile p (the time scale is part of a profile).
  double profile_scheduler_s_per_worker_s(std::uint32_t p) const {
    return dtf::scheduler_s_per_worker_s(profiles_[p].representative);
  }
  /// The largest over the feasible profiles of class c (1 without any): what
  /// converts an estimate of c's tasks that no worker answered (queue order).
  double class_scheduler_s_per_worker_s(std::uint32_t c) const;

  /// Seconds until the worker's next slot frees, from the expected ends of what runs there (the core's clock).
  double slot_free_in(std::size_t wi, double now_s) const;
  /// Slot time of every attempt so far: ended ones and, up to now, running ones.
  double busy_slot_s(double now_s) const;
  /// Adds to `count` (stopping at `limit`) how many tasks taking `duration_s`
  /// (the core's clock) each the full members of profile p finish within `within_s` from now,
  /// one after another from when their first slot frees -- a worker already x
  /// past its expected end counts as freeing x from now. O(log members + runs).
  void count_full_finishing(std::uint32_t p, double duration_s, double now_s, double within_s, std::size_t limit,
                            std::size_t& count) const;

private:
  std::uint32_t profile_of(const worker_capability& w);
  void fill_class(requirement_class& c);
  void note_class_profiles(std::uint32_t c);
  void rebuild_profiles_and_classes();
  void index_exclusive_classes();
  void recompute_earliest_end(std::size_t wi);

  std::vector<fleet_worker> workers_;
  std::vector<worker_capability> capabilities_;              // mirror for scheduler_core::workers()
  std::unordered_map<std::string, std::size_t> worker_index_;  // lookups only
  std::vector<worker_profile> profiles_;
  std::unordered_map<std::string, std::uint32_t> profile_index_;  // lookups only
  std::vector<requirement_class> classes_;
  std::unordered_map<std::string, std::uint32_t> class_index_;  // lookups only
  std::vector<std::uint32_t> exclusive_class_ids_;
  std::uint64_t structure_changes_ = 0;
  std::size_t running_ = 0;
  double finished_busy_s_ = 0.0;
};

} // namespace dtf
