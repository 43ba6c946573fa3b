#include "scheduler/core/fleet_index.hpp"

#include "scheduler/core/finite.hpp"
#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace dtf {

namespace {

// Tasks with identical requirements share feasibility: one class per distinct
// requirement set.
std::string requirement_signature(const task_requirements& r) {
  std::string s;
  auto add = [&](std::string_view part) {
    s += part;
    s += '\x1f';
  };
  auto add_double = [&](double v) {
    char bytes[sizeof v];
    std::memcpy(bytes, &v, sizeof v);
    s.append(bytes, sizeof bytes);
    s += '\x1f';
  };
  for (auto k : r.hardware) s += static_cast<char>('0' + static_cast<int>(k));
  s += '\x1e';
  add_double(r.min_memory_gb);
  if (r.min_cuda_compute) add_double(*r.min_cuda_compute); else add("-");
  for (const auto& g : r.gfx_arch) add(g);
  s += '\x1e';
  // The soft `device` preference does not change feasibility, and the class
  // caches nothing score-related, so it stays out of the signature.
  for (const auto& d : r.require_device) add(d);
  s += '\x1e';
  for (const auto& l : r.labels) add(l);
  s += '\x1e';
  add(std::to_string(r.min_cores));
  return s;
}

// Workers identical in everything the filters, terms and predictor read (the
// predictor reads the clock: an emulated worker is never a real one's profile;
// the core reads an emulated one's time scale, to bring its predictions to the
// core's clock).
std::string profile_signature(const worker_capability& w) {
  std::string key = w.emulated ? "modeled" : "wall";
  if (w.emulated) {
    char scale[32];
    std::snprintf(scale, sizeof scale, "%a", w.time_scale);
    key += scale;
  }
  key += '\x1f' + w.name + '\x1f';
  key += to_string(w.kind);
  key += '\x1f' + std::to_string(w.memory_bytes) + '\x1f';
  key += w.compute_capability ? std::to_string(*w.compute_capability) : std::string{"-"};
  key += '\x1f' + w.arch + '\x1f' + std::to_string(w.cores) + '\x1f' + std::to_string(w.speed);
  for (const auto& label : w.labels) key += '\x1f' + label;
  return key;
}

template <typename T>
void insert_sorted(std::vector<T>& v, const T& x) { v.insert(std::lower_bound(v.begin(), v.end(), x), x); }
template <typename T>
void erase_sorted(std::vector<T>& v, const T& x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it != v.end() && *it == x) v.erase(it);
}

} // namespace

std::size_t fleet_index::add(worker_capability cap, int slots, int run_slots, affinity_map::key affinity_key,
                             specialization_tracker::key specialization_key, execution_predictor::key device_key) {
  fleet_worker w;
  w.slots = slots;
  w.run_slots = run_slots;
  w.affinity_key = affinity_key;
  w.specialization_key = specialization_key;
  w.device_key = device_key;
  const std::size_t index = workers_.size();
  w.profile = profile_of(cap);
  w.cap = std::move(cap);
  auto& profile = profiles_[w.profile];
  profile.members.push_back(index);
  profile.total_slots += std::max(0, w.slots);
  if (w.slots > 0) profile.free_members.push_back(index);
  for (auto c : profile.classes) {
    classes_[c].feasible.push_back(index);
    if (w.slots > 0) ++classes_[c].free_feasible;
  }
  worker_index_.emplace(w.cap.id, index);
  capabilities_.push_back(w.cap);
  workers_.push_back(std::move(w));
  ++structure_changes_;
  return index;
}

void fleet_index::remove(std::size_t index) {
  workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(index));
  capabilities_.erase(capabilities_.begin() + static_cast<std::ptrdiff_t>(index));
  worker_index_.clear();
  for (std::size_t w = 0; w < workers_.size(); ++w) worker_index_.emplace(workers_[w].cap.id, w);
  rebuild_profiles_and_classes();
  ++structure_changes_;
}

std::size_t fleet_index::find(const std::string& worker_id) const {
  auto it = worker_index_.find(worker_id);
  return it == worker_index_.end() ? no_worker_index : it->second;
}

std::uint32_t fleet_index::profile_of(const worker_capability& w) {
  auto signature = profile_signature(w);
  auto it = profile_index_.find(signature);
  if (it != profile_index_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(profiles_.size());
  worker_profile p;
  p.representative = w;
  for (std::uint32_t c = 0; c < classes_.size(); ++c)
    if (!first_rejection(classes_[c].requirements, w)) {
      p.classes.push_back(c);
      classes_[c].profiles.push_back(id);
    }
  profiles_.push_back(std::move(p));
  profile_index_.emplace(std::move(signature), id);
  for (auto c : profiles_[id].classes) note_class_profiles(c);
  return id;
}

void fleet_index::fill_class(requirement_class& c) {
  c.feasible.clear();
  c.free_feasible = 0;
  for (auto p : c.profiles) {
    c.feasible.insert(c.feasible.end(), profiles_[p].members.begin(), profiles_[p].members.end());
    c.free_feasible += static_cast<int>(profiles_[p].free_members.size());
  }
  std::sort(c.feasible.begin(), c.feasible.end());
}

std::uint32_t fleet_index::class_of(const task_requirements& requirements) {
  auto signature = requirement_signature(requirements);
  auto it = class_index_.find(signature);
  if (it != class_index_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(classes_.size());
  requirement_class c;
  c.requirements = requirements;
  c.profiles = feasible_profiles(requirements);
  for (auto p : c.profiles) profiles_[p].classes.push_back(id);
  fill_class(c);
  classes_.push_back(std::move(c));
  class_index_.emplace(std::move(signature), id);
  note_class_profiles(id);
  return id;
}

std::vector<std::uint32_t> fleet_index::feasible_profiles(const task_requirements& requirements) const {
  std::vector<std::uint32_t> feasible;
  for (std::uint32_t p = 0; p < profiles_.size(); ++p)
    if (!first_rejection(requirements, profiles_[p].representative)) feasible.push_back(p);
  return feasible;
}

// After class c gained a feasible profile (or was created): it is exclusive
// while it has exactly one.
void fleet_index::note_class_profiles(std::uint32_t c) {
  const auto& feasible = classes_[c].profiles;
  if (feasible.size() == 1) {
    exclusive_class_ids_.push_back(c);
    profiles_[feasible.front()].exclusive_classes.push_back(c);
  } else if (feasible.size() == 2) {
    std::erase(exclusive_class_ids_, c);
    for (auto p : feasible) std::erase(profiles_[p].exclusive_classes, c);
  }
}

void fleet_index::index_exclusive_classes() {
  exclusive_class_ids_.clear();
  for (auto& p : profiles_) p.exclusive_classes.clear();
  for (std::uint32_t c = 0; c < classes_.size(); ++c)
    if (classes_[c].profiles.size() == 1) {
      exclusive_class_ids_.push_back(c);
      profiles_[classes_[c].profiles.front()].exclusive_classes.push_back(c);
    }
}

// After a removal shifted worker indices: profiles and classes from scratch.
void fleet_index::rebuild_profiles_and_classes() {
  profiles_.clear();
  profile_index_.clear();
  for (auto& c : classes_) c.profiles.clear();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    auto& w = workers_[i];
    w.profile = profile_of(w.cap);
    auto& p = profiles_[w.profile];
    p.members.push_back(i);
    if (w.running < w.slots) p.free_members.push_back(i);
    else if (w.running > 0) p.full_by_end.emplace_back(w.earliest_end_s, i);
  }
  for (auto& p : profiles_) std::sort(p.full_by_end.begin(), p.full_by_end.end());
  for (auto& c : classes_) fill_class(c);
  for (const auto& w : workers_) profiles_[w.profile].total_slots += std::max(0, w.slots);
  index_exclusive_classes();
}

void fleet_index::recompute_earliest_end(std::size_t wi) {
  auto& w = workers_[wi];
  w.earliest_end_s = infinity;
  for (const auto& o : w.occupants) w.earliest_end_s = std::min(w.earliest_end_s, o.expected_end_s);
}

void fleet_index::occupy(std::size_t wi, const slot_occupant& attempt) {
  auto& w = workers_[wi];
  auto& p = profiles_[w.profile];
  ++w.running;
  w.occupants.push_back(attempt);
  w.earliest_end_s = std::min(w.earliest_end_s, attempt.expected_end_s);
  if (w.running == w.slots) {
    erase_sorted(p.free_members, wi);
    insert_sorted(p.full_by_end, std::pair{w.earliest_end_s, wi});
    for (auto c : p.classes) --classes_[c].free_feasible;
  }
  ++running_;
}

void fleet_index::release(std::size_t wi, task_handle h, double now_s) {
  auto& w = workers_[wi];
  auto& p = profiles_[w.profile];
  double placed_at_s = now_s;
  auto it = std::find_if(w.occupants.begin(), w.occupants.end(), [&](const auto& o) { return o.task == h; });
  if (it != w.occupants.end()) {
    placed_at_s = it->placed_at_s;
    w.occupants.erase(it);
  }
  if (w.running == w.slots) {
    erase_sorted(p.full_by_end, std::pair{w.earliest_end_s, wi});
    insert_sorted(p.free_members, wi);
    for (auto c : p.classes) ++classes_[c].free_feasible;
  }
  --w.running;
  if (std::isfinite(now_s)) {
    const double ran = std::max(0.0, now_s - placed_at_s);
    w.busy_s += ran;
    finished_busy_s_ += ran;
  }
  recompute_earliest_end(wi);
  --running_;
}

double fleet_index::class_scheduler_s_per_worker_s(std::uint32_t c) const {
  const auto& profiles = classes_[c].profiles;
  if (profiles.empty()) return 1.0;
  double scale = 0.0;
  for (auto p : profiles) scale = std::max(scale, profile_scheduler_s_per_worker_s(p));
  return scale;
}

double fleet_index::slot_free_in(std::size_t wi, double now_s) const {
  const auto& w = workers_[wi];
  if (w.running < w.slots) return 0.0;
  if (w.occupants.empty()) return infinity;  // zero slots: never frees
  return std::max(0.0, w.earliest_end_s - now_s);
}

double fleet_index::busy_slot_s(double now_s) const {
  double busy = finished_busy_s_;
  for (const auto& w : workers_)
    for (const auto& o : w.occupants) {
      const double ran = now_s - o.placed_at_s;
      busy += std::max(0.0, std::isfinite(ran) ? ran : 0.0);
    }
  return busy;
}

void fleet_index::count_full_finishing(std::uint32_t p, double d, double now_s, double within_s, std::size_t limit,
                                       std::size_t& count) const {
  const auto& profile = profiles_[p];
  if (profile.full_by_end.empty()) return;
  if (!(d < within_s)) return;
  // A slot predicted to free by `end` frees in end - now; one already past
  // it has overrun its prediction and is expected to need as long again
  // as it has overrun (now - end): a worker stuck far past its prediction
  // stops counting instead of holding tasks back forever.
  // free_in + d < within  <=>  now - (within - d) < end < now + (within - d).
  const double slack = within_s - d;
  const auto at = [&](double v) {
    return std::lower_bound(profile.full_by_end.begin(), profile.full_by_end.end(), std::pair{v, std::size_t{0}});
  };
  const auto first = at(std::nextafter(now_s - slack, infinity));
  const auto due = at(now_s);
  const auto end = at(now_s + slack);
  // Each such worker finishes floor((within - free_in) / d) tasks in the
  // window, one after another. That count is monotone along the end-time
  // order on each side of now, so equal counts come in runs: sum them run by run.
  const auto tasks_in_window = [&](const std::pair<double, std::size_t>& entry) {
    const double free_in = std::abs(entry.first - now_s);
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::min((within_s - free_in) / d, 1e6)));
  };
  const auto sum_runs = [&](auto it, auto stop) {
    while (it != stop && count < limit) {
      const std::size_t each = tasks_in_window(*it);
      const auto run_end = std::partition_point(it, stop, [&](const auto& e) { return tasks_in_window(e) == each; });
      count += each * static_cast<std::size_t>(run_end - it);
      it = run_end;
    }
  };
  if (within_s / d < 2.0) {
    // free_in >= 0, so every worker finishes exactly one: each side is one run.
    if (first < due && count < limit) count += static_cast<std::size_t>(due - first);
    if (count < limit) count += static_cast<std::size_t>(end - due);
    return;
  }
  if (first < due) sum_runs(first, due);
  sum_runs(due, end);
}

} // namespace dtf
