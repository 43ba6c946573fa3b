// scheduler_view: what a policy reads of the core, answered from its units
// (during a decision, from the decision cache).
#include "scheduler/core/core_state.hpp"
#include "scheduler/core/finite.hpp"
#include "scheduler/core/scarcity.hpp"
#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dtf {

std::size_t scheduler_view::worker_count() const { return core_.impl_->fleet.size(); }
const worker_capability& scheduler_view::worker(std::size_t index) const {
  return core_.impl_->fleet.workers().at(index).cap;
}
int scheduler_view::running(std::size_t index) const { return core_.impl_->fleet.workers().at(index).running; }
int scheduler_view::slots(std::size_t index) const { return core_.impl_->fleet.workers().at(index).slots; }
double scheduler_view::predicted_slot_free_in_s(std::size_t index, double now_s) const {
  return core_.impl_->fleet.slot_free_in(index, now_s);
}
double scheduler_view::predicted_duration_s(const task& t, std::size_t index) const {
  const auto& i = *core_.impl_;
  return i.predicted_duration(t, index) * i.fleet.scheduler_s_per_worker_s(index);
}
double scheduler_view::scheduler_s_per_worker_s(std::size_t index) const {
  return core_.impl_->fleet.scheduler_s_per_worker_s(index);
}
bool scheduler_view::predicted_past_timeout(const task& t, std::uint32_t profile) const {
  const auto& i = *core_.impl_;
  if (profile >= i.fleet.profile_count()) throw std::out_of_range("scheduler_view: no such profile");
  if (!has_timeout(t)) return false;
  const auto& members = i.fleet.profile(profile).members;
  // The timeout counts in the worker's clock (an emulated worker times out in modeled seconds), as the prediction.
  return members.empty() || i.predicted_duration(t, members.front()) > t.timeout_s;
}
const execution_predictor& scheduler_view::predictor() const { return core_.impl_->learned.predictor; }
const affinity_map& scheduler_view::affinity() const { return core_.impl_->learned.affinity; }
const specialization_tracker& scheduler_view::specialization() const { return core_.impl_->learned.specialization; }
const scheduler_config& scheduler_view::config() const { return core_.impl_->config; }
const worker_metrics& scheduler_view::metrics(std::size_t index) const {
  return core_.impl_->fleet.workers().at(index).metrics;
}

double scheduler_view::affinity_value(const task& t, std::size_t index) const {
  const auto& i = *core_.impl_;
  return i.learned.affinity.value(i.fleet.workers().at(index).affinity_key, affinity_model_key(t));
}

double scheduler_view::specialization_value(const task& t, std::size_t index) const {
  const auto& i = *core_.impl_;
  return i.learned.specialization.value(i.fleet.workers().at(index).specialization_key, t.type,
                                        specialization_family_key(t));
}

double scheduler_view::deferred_for_s(const task& t, double now_s) const {
  const auto& i = *core_.impl_;
  const auto h = i.cache.about(t) ? i.cache.current().handle : i.tasks.find(t.id);
  if (h == no_handle || i.tasks[h].first_deferred_at_s < 0.0) return 0.0;
  return std::max(0.0, finite_or(now_s - i.tasks[h].first_deferred_at_s, 0.0));
}

std::span<const std::uint32_t> scheduler_view::decision_profiles(const task& t) const {
  const auto& i = *core_.impl_;
  return i.cache.about(t) ? i.cache.current().profiles : std::span<const std::uint32_t>{};
}

std::span<const std::size_t> scheduler_view::free_members(std::uint32_t profile) const {
  const auto& fleet = core_.impl_->fleet;
  if (profile >= fleet.profile_count()) throw std::out_of_range("scheduler_view::free_members: no such profile");
  return fleet.profile(profile).free_members;
}

std::optional<std::size_t> scheduler_view::avoided_worker(const task& t) const {
  const auto& i = *core_.impl_;
  if (!i.cache.about(t) || i.cache.current().avoided == no_worker_index) return std::nullopt;
  return i.cache.current().avoided;
}

const profile_member_order& scheduler_view::member_order() const { return core_.impl_->learned.member_order; }

bool scheduler_view::reserved(const task& t, std::uint32_t profile) const {
  const auto& i = *core_.impl_;
  if (!i.config.leave_scarce_profiles || !i.cache.about(t) || i.cache.current().handle == no_handle) return false;
  const auto& decision = i.cache.current();
  return dtf::reserved(t, i.tasks[decision.handle].class_id, profile, decision.avoided, i.fleet, i.queue, i.cache,
                       i.learned.predictor, i.statistics.last_now_s(),
                       i.config.defers());
}

std::uint32_t scheduler_view::profile_of(std::size_t index) const {
  return core_.impl_->fleet.workers().at(index).profile;
}

std::size_t scheduler_view::first_member(std::uint32_t profile) const {
  const auto& fleet = core_.impl_->fleet;
  if (profile >= fleet.profile_count() || fleet.profile(profile).members.empty())
    throw std::out_of_range("scheduler_view::first_member: no such profile or no member");
  return fleet.profile(profile).members.front();
}

double scheduler_view::predicted_profile_duration_s(const task& t, std::uint32_t profile) const {
  const auto& i = *core_.impl_;
  if (profile >= i.fleet.profile_count()) throw std::out_of_range("scheduler_view: no such profile");
  const auto& members = i.fleet.profile(profile).members;
  return members.empty() ? infinity
                         : i.predicted_duration(t, members.front()) * i.fleet.profile_scheduler_s_per_worker_s(profile);
}

prediction_level scheduler_view::predicted_profile_level(const task& t, std::uint32_t profile) const {
  const auto& i = *core_.impl_;
  if (profile >= i.fleet.profile_count()) throw std::out_of_range("scheduler_view: no such profile");
  const auto& members = i.fleet.profile(profile).members;
  return members.empty() ? prediction_level::default_estimate : i.predicted_on(t, members.front()).level;
}

std::uint32_t scheduler_view::affinity_model_key(const task& t) const {
  const auto& i = *core_.impl_;
  return i.cache.about(t) ? i.cache.current().affinity_model : i.learned.affinity.find_model(t.model);
}

std::uint32_t scheduler_view::specialization_family_key(const task& t) const {
  const auto& i = *core_.impl_;
  return i.cache.about(t) ? i.cache.current().specialization_family
                          : i.learned.specialization.find_family(specialization_family(t.model));
}

std::size_t scheduler_view::deferred_ahead(const task& t) const {
  const auto& i = *core_.impl_;
  return i.cache.about(t) ? i.cache.current().deferred_ahead : 0;
}

std::size_t scheduler_view::pass_over_ending_turn(const task& t) const {
  const auto& i = *core_.impl_;
  return i.cache.about(t) ? i.cache.current().ending_turn : std::numeric_limits<std::size_t>::max();
}

std::size_t scheduler_view::busy_finishing_within(const task& t, double now_s, double within_s,
                                                  std::size_t limit) const {
  const auto& i = *core_.impl_;
  if (i.cache.about(t) && i.cache.current().handle != no_handle)
  {
    const auto& r = i.tasks[i.cache.current().handle];
    return dtf::busy_finishing_within(t, i.fleet.requirement(r.class_id).profiles, now_s, within_s, limit, i.fleet,
                                      i.cache, i.learned.predictor,
                                      {&i.queue, r.class_id, &i.starts, r.first_deferred_at_s, &i.arrivals, &i.holds});
  }
  std::vector<std::uint32_t> feasible;
  for (std::uint32_t p = 0; p < i.fleet.profile_count(); ++p)
    if (!first_rejection(t.requirements, i.fleet.profile(p).representative)) feasible.push_back(p);
  return dtf::busy_finishing_within(t, feasible, now_s, within_s, limit, i.fleet, i.cache, i.learned.predictor);
}

double scheduler_view::best_free_predicted_finish_s(const task& t, double) const {
  const auto& i = *core_.impl_;
  double best = 0.0;
  // Members of a profile pass the same filters and get the same prediction:
  // one per profile with a free member (O(profiles), not O(workers)).
  for (std::uint32_t p = 0; p < i.fleet.profile_count(); ++p) {
    const auto& profile = i.fleet.profile(p);
    if (profile.free_members.empty() || first_rejection(t.requirements, profile.representative)) continue;
    const double d = i.predicted_duration(t, profile.free_members.front()) * i.fleet.profile_scheduler_s_per_worker_s(p);
    if (best == 0.0 || d < best) best = d;
  }
  return best;
}

} // namespace dtf
