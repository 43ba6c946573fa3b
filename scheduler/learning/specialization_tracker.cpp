#include "scheduler/learning/specialization_tracker.hpp"

#include "scheduler/learning/affinity_map.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace dtf {

std::string specialization_family(std::string_view model) {
  const auto family = model_family(model);
  return std::string{family.empty() ? model : family};
}

specialization_tracker::key specialization_tracker::worker_key(std::string_view worker_id) {
  return workers_.intern(worker_id);
}
specialization_tracker::key specialization_tracker::family_key(std::string_view family) {
  return families_.intern(family);
}
specialization_tracker::key specialization_tracker::find_worker(std::string_view worker_id) const {
  auto k = workers_.find(worker_id);
  return k ? *k : no_key;
}
specialization_tracker::key specialization_tracker::find_family(std::string_view family) const {
  auto k = families_.find(family);
  return k ? *k : no_key;
}

std::uint64_t specialization_tracker::cell_key(key worker, task_type type, key family) {
  // 30 bits of worker, 2 of type, 32 of family.
  return (static_cast<std::uint64_t>(worker) << 34) | (static_cast<std::uint64_t>(type) << 32) | family;
}
std::uint64_t specialization_tracker::fleet_key(task_type type, key family) {
  return (static_cast<std::uint64_t>(type) << 32) | family;
}

void specialization_tracker::record(key worker, task_type type, key family, bool success,
                                    std::optional<double> normalized_duration_s) {
  if (worker == no_key || family == no_key) return;
  auto [it, fresh] = cells_.try_emplace(cell_key(worker, type, family));
  if (fresh) {
    if (cells_per_worker_.size() <= worker) cells_per_worker_.resize(worker + 1, 0);
    ++cells_per_worker_[worker];
  }
  auto& c = it->second;
  if (success) ++c.successes; else ++c.failures;
  if (success && normalized_duration_s && std::isfinite(*normalized_duration_s) && *normalized_duration_s > 0.0) {
    const double d = std::min(*normalized_duration_s, 1e9);
    c.duration_sum_s += d;
    ++c.duration_count;
    auto& f = fleet_[fleet_key(type, family)];
    f.duration_sum_s += d;
    ++f.duration_count;
  }
}

void specialization_tracker::record(std::string_view worker_id, task_type type, std::string_view family,
                                    bool success, std::optional<double> normalized_duration_s) {
  record(worker_key(worker_id), type, family_key(family), success, normalized_duration_s);
}

double specialization_tracker::value_of(const cell& c, task_type type, key family, double* rate_out,
                                        double* speed_out) const {
  const double rate = (static_cast<double>(c.successes) + 1.0) /
                      (static_cast<double>(c.successes + c.failures) + 2.0);
  double speed = 1.0;
  if (c.duration_count > 0) {
    auto f = fleet_.find(fleet_key(type, family));
    if (f != fleet_.end() && f->second.duration_count > 0) {
      const double fleet_mean = f->second.duration_sum_s / static_cast<double>(f->second.duration_count);
      const double mine = c.duration_sum_s / static_cast<double>(c.duration_count);
      if (mine > 0.0 && fleet_mean > 0.0) speed = std::clamp(fleet_mean / mine, min_relative_speed, max_relative_speed);
    }
  }
  if (rate_out) *rate_out = rate;
  if (speed_out) *speed_out = speed;
  const double v = 0.5 * (2.0 * rate - 1.0) + 0.5 * std::log(speed) / std::log(max_relative_speed);
  return std::isfinite(v) ? std::clamp(v, -1.0, 1.0) : 0.0;
}

double specialization_tracker::value(key worker, task_type type, key family) const {
  if (worker == no_key || family == no_key || cells_.empty()) return 0.0;
  auto it = cells_.find(cell_key(worker, type, family));
  if (it == cells_.end()) return 0.0;
  return value_of(it->second, type, family, nullptr, nullptr);
}

specialization_tracker::ranking specialization_tracker::rank(key worker, task_type type, key family) const {
  if (worker == no_key || family == no_key || cells_.empty()) return {};
  auto it = cells_.find(cell_key(worker, type, family));
  if (it == cells_.end()) return {};
  const cell& c = it->second;
  if (c.duration_count == 0) return {false, value_of(c, type, family, nullptr, nullptr)};
  // value = success part + 0.5 log4(clamp(fleet_mean / mine)): without the
  // clamps, success part - 0.5 log4(mine) + 0.5 log4(fleet_mean).
  const double rate = (static_cast<double>(c.successes) + 1.0) / (static_cast<double>(c.successes + c.failures) + 2.0);
  const double mine = c.duration_sum_s / static_cast<double>(c.duration_count);
  return {true, 0.5 * (2.0 * rate - 1.0) - 0.5 * std::log(mine) / std::log(max_relative_speed)};
}

double specialization_tracker::fleet_log_speed_offset(task_type type, key family) const {
  auto f = fleet_.find(fleet_key(type, family));
  if (f == fleet_.end() || f->second.duration_count == 0) return 0.0;
  const double fleet_mean = f->second.duration_sum_s / static_cast<double>(f->second.duration_count);
  return 0.5 * std::log(fleet_mean) / std::log(max_relative_speed);
}

double specialization_tracker::value(std::string_view worker_id, task_type type, std::string_view family) const {
  return value(find_worker(worker_id), type, find_family(family));
}

std::vector<specialization_entry> specialization_tracker::entries() const {
  std::vector<specialization_entry> out;
  out.reserve(cells_.size());
  for (const auto& [k, c] : cells_) {
    const auto worker = static_cast<key>(k >> 34);
    const auto type = static_cast<task_type>((k >> 32) & 3u);
    const auto family = static_cast<key>(k & 0xffffffffu);
    specialization_entry e;
    e.worker_id = workers_.name(worker);
    e.type = type;
    e.family = families_.name(family);
    e.successes = c.successes;
    e.failures = c.failures;
    e.mean_duration_s = c.duration_count ? c.duration_sum_s / static_cast<double>(c.duration_count) : 0.0;
    e.value = value_of(c, type, family, &e.success_rate, &e.relative_speed);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.worker_id, a.type, a.family) < std::tie(b.worker_id, b.type, b.family);
  });
  return out;
}

} // namespace dtf
