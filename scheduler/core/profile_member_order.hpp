#pragma once
// Orders of the members of each worker profile (workers alike in capability)
// that let a policy find a profile's best-scoring member without scoring every
// member. Members of one profile differ in score only by per-worker terms:
// specialization (by the worker's history for the task's type and family),
// affinity (the models warm on it), load and live metrics.
//
// Per profile the order keeps:
//  - `clean` members: no history, nothing warm -- they all score alike;
//  - per (task type, specialization family): every other member, ordered by
//    specialization_tracker::rank (fleet-relative keys apart from fixed ones,
//    so a new fleet mean never reorders them);
//  - per (model, task type): the members holding the model warm (affinity 1),
//    in the same order.
// Orders are built on first use and kept current by the core's hooks around
// every change of a worker's history or warm models. Deterministic: std::set
// ordered by (key, worker index); hash maps are only looked up.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/model/task.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dtf {

class profile_member_order {
public:
  /// Members by descending key, then ascending worker index (keys are stored negated).
  using ordered = std::set<std::pair<double, std::size_t>>;
  struct members_by_specialization {
    task_type type = task_type::custom;
    specialization_tracker::key family = specialization_tracker::no_key;
    ordered fleet_relative;  // key: rank().key (the term is at most max(key + fleet offset, 0))
    ordered fixed;           // key: the term itself
  };

  profile_member_order(const specialization_tracker& specialization, const affinity_map& affinity)
    : specialization_(&specialization), affinity_(&affinity) {}

  /// Forgets every member and order (after a removal renumbered workers).
  void clear();
  /// Registers the next worker index (indices are dense and ascending).
  void add(std::size_t worker, std::uint32_t profile, specialization_tracker::key specialization_worker,
           affinity_map::key affinity_worker);

  // Hooks: the core calls before_* and after_* around each change.
  void before_history_change(std::size_t worker, task_type type, specialization_tracker::key family);
  void after_history_change(std::size_t worker, task_type type, specialization_tracker::key family);
  void before_warm_change(std::size_t worker);
  void after_warm_change(std::size_t worker);
  void set_has_metrics(std::size_t worker, bool has_metrics);

  /// Whether every member of the profile scores only through specialization,
  /// affinity and load (no live metrics), so the orders below apply.
  bool orderable(std::uint32_t profile) const;
  std::span<const std::size_t> clean_members(std::uint32_t profile) const { return profiles_[profile].clean; }
  /// Every non-clean member, by its specialization for (type, family).
  const members_by_specialization& by_specialization(std::uint32_t profile, task_type type,
                                                     specialization_tracker::key family) const;
  /// The non-clean members holding `model` warm, by specialization for (type, family).
  const members_by_specialization& holding_model(std::uint32_t profile, affinity_map::key model, task_type type,
                                                 specialization_tracker::key family) const;
  bool holds_warm(std::size_t worker, affinity_map::key model) const;

private:
  struct member {
    std::uint32_t profile = 0;
    specialization_tracker::key specialization_worker = specialization_tracker::no_key;
    affinity_map::key affinity_worker = affinity_map::no_key;
    bool clean = true;
    bool has_metrics = false;
  };
  struct profile_state {
    std::vector<std::size_t> members;  // ascending
    std::vector<std::size_t> clean;    // ascending
    std::size_t with_metrics = 0;
    std::unordered_map<std::uint64_t, members_by_specialization> by_cell;   // lookups only
    std::unordered_map<std::uint64_t, members_by_specialization> by_model;  // lookups only
  };
  static std::uint64_t cell_key(task_type type, specialization_tracker::key family);
  static std::uint64_t model_key(affinity_map::key model, task_type type);
  bool is_clean(const member& m) const;
  void insert(members_by_specialization& order, std::size_t worker) const;
  void erase(members_by_specialization& order, std::size_t worker) const;
  /// Clean -> not clean: joins every order of its profile that applies.
  void leave_clean(std::size_t worker);
  void join_model_orders(std::size_t worker, affinity_map::key model);
  void leave_model_orders(std::size_t worker, affinity_map::key model);
  /// The order under `key`, built on first use from the non-clean members
  /// (holding `warm_model` warm, unless it is no_key).
  members_by_specialization& built(profile_state& p,
                                   std::unordered_map<std::uint64_t, members_by_specialization>& orders,
                                   std::uint64_t key, task_type type, specialization_tracker::key family,
                                   affinity_map::key warm_model) const;

  const specialization_tracker* specialization_;
  const affinity_map* affinity_;
  std::vector<member> members_;                // by worker index
  mutable std::vector<profile_state> profiles_;  // orders are built on first use
  std::vector<affinity_map::key> warm_before_;   // scratch of before_warm_change
};

} // namespace dtf
