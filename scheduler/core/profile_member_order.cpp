#include "scheduler/core/profile_member_order.hpp"

#include <algorithm>
#include <array>

namespace dtf {

namespace {
constexpr std::array<task_type, 3> all_types = {task_type::test, task_type::benchmark, task_type::custom};
} // namespace

std::uint64_t profile_member_order::cell_key(task_type type, specialization_tracker::key family) {
  return (static_cast<std::uint64_t>(family) << 2) | static_cast<std::uint64_t>(type);
}
std::uint64_t profile_member_order::model_key(affinity_map::key model, task_type type) {
  return (static_cast<std::uint64_t>(model) << 2) | static_cast<std::uint64_t>(type);
}

void profile_member_order::clear() {
  members_.clear();
  profiles_.clear();
}

bool profile_member_order::is_clean(const member& m) const {
  return !specialization_->has_history(m.specialization_worker) && affinity_->recent_models(m.affinity_worker).empty();
}

void profile_member_order::add(std::size_t worker, std::uint32_t profile,
                               specialization_tracker::key specialization_worker, affinity_map::key affinity_worker) {
  if (members_.size() <= worker) members_.resize(worker + 1);
  if (profiles_.size() <= profile) profiles_.resize(profile + 1);
  auto& m = members_[worker];
  m = member{profile, specialization_worker, affinity_worker, true, false};
  auto& p = profiles_[profile];
  p.members.insert(std::lower_bound(p.members.begin(), p.members.end(), worker), worker);
  p.clean.insert(std::lower_bound(p.clean.begin(), p.clean.end(), worker), worker);
  if (!is_clean(m)) leave_clean(worker);
}

void profile_member_order::insert(members_by_specialization& order, std::size_t worker) const {
  const auto r = specialization_->rank(members_[worker].specialization_worker, order.type, order.family);
  (r.fleet_relative ? order.fleet_relative : order.fixed).emplace(-r.key, worker);
}

void profile_member_order::erase(members_by_specialization& order, std::size_t worker) const {
  const auto r = specialization_->rank(members_[worker].specialization_worker, order.type, order.family);
  (r.fleet_relative ? order.fleet_relative : order.fixed).erase({-r.key, worker});
}

void profile_member_order::leave_clean(std::size_t worker) {
  auto& m = members_[worker];
  if (!m.clean) return;
  m.clean = false;
  auto& p = profiles_[m.profile];
  auto it = std::lower_bound(p.clean.begin(), p.clean.end(), worker);
  if (it != p.clean.end() && *it == worker) p.clean.erase(it);
  for (auto& [k, order] : p.by_cell) insert(order, worker);  // order of insertion changes nothing
  for (auto model : affinity_->recent_models(m.affinity_worker)) join_model_orders(worker, model);
}

void profile_member_order::join_model_orders(std::size_t worker, affinity_map::key model) {
  auto& p = profiles_[members_[worker].profile];
  for (auto type : all_types)
    if (auto it = p.by_model.find(model_key(model, type)); it != p.by_model.end()) insert(it->second, worker);
}

void profile_member_order::leave_model_orders(std::size_t worker, affinity_map::key model) {
  auto& p = profiles_[members_[worker].profile];
  for (auto type : all_types)
    if (auto it = p.by_model.find(model_key(model, type)); it != p.by_model.end()) erase(it->second, worker);
}

void profile_member_order::before_history_change(std::size_t worker, task_type type,
                                                 specialization_tracker::key family) {
  if (worker >= members_.size() || members_[worker].clean) return;
  auto& m = members_[worker];
  auto& p = profiles_[m.profile];
  if (auto it = p.by_cell.find(cell_key(type, family)); it != p.by_cell.end()) erase(it->second, worker);
  for (auto model : affinity_->recent_models(m.affinity_worker))
    if (auto it = p.by_model.find(model_key(model, type)); it != p.by_model.end() && it->second.family == family)
      erase(it->second, worker);
}

void profile_member_order::after_history_change(std::size_t worker, task_type type,
                                                specialization_tracker::key family) {
  if (worker >= members_.size()) return;
  auto& m = members_[worker];
  if (m.clean) {
    if (!is_clean(m)) leave_clean(worker);
    return;
  }
  auto& p = profiles_[m.profile];
  if (auto it = p.by_cell.find(cell_key(type, family)); it != p.by_cell.end()) insert(it->second, worker);
  for (auto model : affinity_->recent_models(m.affinity_worker))
    if (auto it = p.by_model.find(model_key(model, type)); it != p.by_model.end() && it->second.family == family)
      insert(it->second, worker);
}

void profile_member_order::before_warm_change(std::size_t worker) {
  warm_before_.clear();
  if (worker >= members_.size()) return;
  const auto recent = affinity_->recent_models(members_[worker].affinity_worker);
  warm_before_.assign(recent.begin(), recent.end());
}

void profile_member_order::after_warm_change(std::size_t worker) {
  if (worker >= members_.size()) return;
  auto& m = members_[worker];
  if (m.clean) {
    if (!is_clean(m)) leave_clean(worker);
    return;
  }
  const auto now = affinity_->recent_models(m.affinity_worker);
  for (auto model : warm_before_)
    if (std::find(now.begin(), now.end(), model) == now.end()) leave_model_orders(worker, model);
  for (auto model : now)
    if (std::find(warm_before_.begin(), warm_before_.end(), model) == warm_before_.end())
      join_model_orders(worker, model);
}

void profile_member_order::set_has_metrics(std::size_t worker, bool has_metrics) {
  if (worker >= members_.size() || members_[worker].has_metrics == has_metrics) return;
  members_[worker].has_metrics = has_metrics;
  auto& p = profiles_[members_[worker].profile];
  if (has_metrics) ++p.with_metrics;
  else --p.with_metrics;
}

bool profile_member_order::orderable(std::uint32_t profile) const {
  return profile < profiles_.size() && profiles_[profile].with_metrics == 0;
}

const profile_member_order::members_by_specialization&
profile_member_order::by_specialization(std::uint32_t profile, task_type type,
                                        specialization_tracker::key family) const {
  auto& p = profiles_[profile];
  return built(p, p.by_cell, cell_key(type, family), type, family, affinity_map::no_key);
}

const profile_member_order::members_by_specialization&
profile_member_order::holding_model(std::uint32_t profile, affinity_map::key model, task_type type,
                                    specialization_tracker::key family) const {
  auto& p = profiles_[profile];
  return built(p, p.by_model, model_key(model, type), type, family, model);
}

profile_member_order::members_by_specialization&
profile_member_order::built(profile_state& p, std::unordered_map<std::uint64_t, members_by_specialization>& orders,
                            std::uint64_t key, task_type type, specialization_tracker::key family,
                            affinity_map::key warm_model) const {
  auto [it, fresh] = orders.try_emplace(key);
  if (fresh) {
    it->second.type = type;
    it->second.family = family;
    for (auto w : p.members)
      if (!members_[w].clean && (warm_model == affinity_map::no_key || holds_warm(w, warm_model)))
        insert(it->second, w);
  }
  return it->second;
}

bool profile_member_order::holds_warm(std::size_t worker, affinity_map::key model) const {
  const auto recent = affinity_->recent_models(members_[worker].affinity_worker);
  return std::find(recent.begin(), recent.end(), model) != recent.end();
}

} // namespace dtf
