#include "scheduler/learning/execution_predictor.hpp"

#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/model/task_variant.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace dtf {

namespace {
constexpr std::uint64_t mean_samples = 10;  // running mean up to here, then EWMA
constexpr double ewma_alpha = 0.1;
constexpr std::uint32_t none = 0xffffffffu;

double clamp_seconds(double s) {
  if (!std::isfinite(s)) return execution_predictor::max_seconds;
  return std::clamp(s, 0.0, execution_predictor::max_seconds);
}
double clamp_speed(double speed) { return std::isfinite(speed) ? std::clamp(speed, 0.01, 100.0) : 1.0; }
std::uint32_t batch_key(int batch) { return static_cast<std::uint32_t>(std::max(batch, 0)); }
/// Cold-start prior for a CPU package that no result of the task's model or
/// family speaks for, when the task could run on a GPU: it is assumed this
/// many times slower than the GPUs until results or lower bounds on it say
/// otherwise (its own model's results there; or the CPU's ratios for other
/// models of the type, cpu_evidence_models of them, which may lower it).
/// CPU:GPU ratios for model runs span two orders of magnitude (GPU:GPU ones
/// about one), and a CPU wrongly taken for a GPU takes a long run at the
/// start of a batch and finishes it last; one wrongly taken for slow only
/// idles a small share of the fleet's capacity until it is tried.
constexpr double blind_cpu_factor = 30.0;
/// Models of a type whose CPU:GPU ratio on a CPU device must be known before
/// that evidence lowers the prior there, and the share of them at or under
/// the ratio it takes: the slower quarter speaks for an untried model, so a
/// few small models that run as fast on the CPU do not make it fast for a
/// large one (CPU:GPU ratios span two orders of magnitude). A CPU that stays
/// idle while tasks it would run in time wait for a GPU costs what a wrong
/// prior saves: on a held-out CI pipeline (tests 0.6-6x as long on a CPU as
/// on their best GPU) the prior sent three quarters of those that could use
/// either to the GPUs' queues while CPU slots stood free.
constexpr std::size_t cpu_evidence_models = 3;
constexpr double cpu_evidence_quantile = 0.75;
} // namespace

std::string_view to_string(prediction_level level) {
  switch (level) {
    case prediction_level::exact: return "exact";
    case prediction_level::model_type_device: return "model_type_device";
    case prediction_level::family_type_device: return "family_type_device";
    case prediction_level::model_type: return "model_type";
    case prediction_level::type_kind: return "type_kind";
    case prediction_level::type: return "type";
    case prediction_level::default_estimate: return "default";
    case prediction_level::model_type_scaled: return "model_type_scaled";
    case prediction_level::family_device_ratio: return "family_device_ratio";
    case prediction_level::device_ratio: return "device_ratio";
    case prediction_level::model_type_normalized: return "model_type_normalized";
    case prediction_level::model_batch_scaled: return "model_batch_scaled";
  }
  return "default";
}

bool from_model_history(prediction_level level) {
  return level == prediction_level::exact || level == prediction_level::model_batch_scaled ||
         level == prediction_level::model_type_device ||
         level == prediction_level::model_type_scaled || level == prediction_level::model_type;
}

double execution_predictor::batch_factor(int batch_size) {
  return batch_size <= 1 ? 1.0 : std::sqrt(static_cast<double>(batch_size));
}

std::uint32_t execution_predictor::series_of(task_type type, run_clock clock) {
  return static_cast<std::uint32_t>(clock) << 8 | static_cast<std::uint32_t>(type);
}

double execution_predictor::default_seconds(task_type type) {
  switch (type) {
    case task_type::benchmark: return 60.0;
    case task_type::test: return 30.0;
    case task_type::custom: return 30.0;
  }
  return 30.0;
}

std::size_t execution_predictor::entry_key_hash::operator()(const entry_key& k) const noexcept {
  std::uint64_t h = (static_cast<std::uint64_t>(k.level_type) << 32) ^ k.name;
  h ^= (static_cast<std::uint64_t>(k.batch) << 32 | k.device) * 0x9E3779B97F4A7C15ull;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 29;
  return static_cast<std::size_t>(h);
}

execution_predictor::entry_key execution_predictor::make_key(prediction_level level, task_type type,
                                                             run_clock clock, std::uint32_t name,
                                                             std::uint32_t batch, std::uint32_t device) {
  return {static_cast<std::uint32_t>(level) << 16 | static_cast<std::uint32_t>(clock) << 8 |
              static_cast<std::uint32_t>(type),
          name, batch, device};
}

bool accepts_gpu(const task& t) {
  for (auto k : t.requirements.hardware)
    if (k != device_kind::cpu) return true;
  return false;
}

execution_predictor::query execution_predictor::prepare(std::string_view model, task_type type, int batch_size,
                                                        bool gpu_capable, std::string_view variant) const {
  query q;
  q.gpu_capable = gpu_capable;
  q.type = type;
  q.batch_size = batch_size;
  if (!model.empty()) {
    if (auto k = names_.find(model)) q.model = *k;
    const auto family = model_family(model);
    if (!family.empty())
      if (auto k = names_.find(family)) q.family = *k;
    if (!variant.empty())
      if (auto k = find_variant(variant)) q.variant = *k;
  }
  return q;
}

execution_predictor::query execution_predictor::prepare(const task& t) const {
  return prepare(t.model, t.type, t.batch_size, accepts_gpu(t), task_variant(t.model, t.id));
}

execution_predictor::key execution_predictor::intern_variant(std::string_view variant) {
  if (auto k = find_variant(variant)) return *k;
  const key k = names_.add_unindexed(variant);
  variant_keys_.emplace(variant, k);
  return k;
}

std::optional<execution_predictor::key> execution_predictor::find_variant(std::string_view variant) const {
  const auto it = variant_keys_.find(std::string{variant});
  if (it == variant_keys_.end()) return std::nullopt;
  return it->second;
}

execution_predictor::key execution_predictor::device_key(std::string_view device_name) {
  return devices_.intern(device_name);
}
execution_predictor::key execution_predictor::find_device(std::string_view device_name) const {
  auto k = devices_.find(device_name);
  return k ? *k : no_key;
}

const execution_predictor::estimate* execution_predictor::find(const entry_key& k) const {
  auto it = estimates_.find(k);
  return it == estimates_.end() || it->second.count == 0 ? nullptr : &it->second;
}

std::optional<prediction> execution_predictor::from_own_runs(std::uint32_t name, const query& q, key device,
                                                            run_clock clock, double per_speed, bool blind_cpu,
                                                            double cpu_prior, bool scaled) const {
  const double units = batch_factor(q.batch_size);
  auto answer = [this](double s, prediction_level level, std::uint64_t n) {
    const double seconds = std::max(clamp_seconds(s), 1e-6);
    return prediction{seconds, level, n, p90_seconds(seconds, level)};
  };
  if (auto e = find(make_key(prediction_level::exact, q.type, clock, name, batch_key(q.batch_size), device)))
    return answer(e->value_s, prediction_level::exact, e->count);
  if (auto s = scaling_.predict(series_of(q.type, clock), name, device, q.batch_size))
    return answer(s->seconds, prediction_level::model_batch_scaled, s->batches);
  if (auto e = find(make_key(prediction_level::model_type_device, q.type, clock, name, none, device)))
    return answer(e->value_s * units, prediction_level::model_type_device, e->count);
  const auto* m = scaled ? find(make_key(prediction_level::model_type_normalized, q.type, clock, name, none, none)) : nullptr;
  if (!m) return std::nullopt;
  const estimate* ratio = nullptr;
  if (q.family != no_key) ratio = find(make_key(prediction_level::family_device_ratio, q.type, clock, q.family, none, device));
  double r = ratio ? ratio->value_s : 0.0;
  // The family's CPU ratio is its other members': CPU:GPU ratios grow
  // with model size within a family (a bert-base 2x slower there, a
  // bert-large 100x), so it may say the CPU is slower than the prior
  // for this model, never faster, until the model itself runs there.
  if (ratio && blind_cpu) r = std::max(r, cpu_prior);
  if (!ratio) {
    // Another family's ratio: a CPU that ran some other model fast has
    // not shown that it runs this family fast (CPU:GPU ratios differ
    // by family far more than GPU:GPU ones), so it keeps its prior.
    ratio = find(make_key(prediction_level::device_ratio, q.type, clock, none, none, device));
    if (ratio) r = std::max(ratio->value_s, cpu_prior);
  }
  if (!ratio) return std::nullopt;
  return answer(m->value_s * r * per_speed, prediction_level::model_type_scaled, std::min(m->count, ratio->count));
}

prediction execution_predictor::predict(const query& q, key device, device_kind kind, run_clock clock,
                                        double speed) const {
  const double units = batch_factor(q.batch_size);
  const double per_speed = units / clamp_speed(speed);
  const bool blind_cpu = q.gpu_capable && kind == device_kind::cpu;
  const double cpu_prior = blind_cpu ? blind_cpu_prior(q.type, clock, device) : 1.0;
  auto answer = [this](double s, prediction_level level, std::uint64_t n) {
    const double seconds = std::max(clamp_seconds(s), 1e-6);
    return prediction{seconds, level, n, p90_seconds(seconds, level)};
  };
  if (!estimates_.empty()) {
    // The variant's own runs first: one model's run times can differ by
    // variant (dataset, test) more than by device.
    double variant_factor = 1.0;  // the variant's runs over its model's, where both were learned
    if (q.variant != no_key && device != no_key) {
      if (auto p = from_own_runs(q.variant, q, device, clock, per_speed, blind_cpu, cpu_prior, false)) return *p;
      // Its size against its model's, on the device it last ran on (where both were timed alike).
      if (auto last = variant_last_device_.find(q.variant); last != variant_last_device_.end() && q.model != no_key &&
                                                              last->second.clock == clock) {
        const auto* v = find(make_key(prediction_level::model_type_device, q.type, clock, q.variant, none, last->second.device));
        const auto* m = find(make_key(prediction_level::model_type_device, q.type, clock, q.model, none, last->second.device));
        if (v && m && v->value_s > 0.0 && m->value_s > 0.0) variant_factor = v->value_s / m->value_s;
      }
    }
    if (q.model != no_key && device != no_key)
      if (auto p = from_own_runs(q.model, q, device, clock, per_speed, blind_cpu, cpu_prior, true)) {
        if (variant_factor != 1.0) {
          p->seconds = std::max(clamp_seconds(p->seconds * variant_factor), 1e-6);
          p->p90_s = p90_seconds(p->seconds, p->level);
        }
        return *p;
      }
    // Nor do the family's CPU times (its other members') answer for it there.
    if (q.family != no_key && device != no_key && !blind_cpu)
      if (auto e = find(make_key(prediction_level::family_type_device, q.type, clock, q.family, none, device)))
        return answer(e->value_s * units, prediction_level::family_type_device, e->count);
    if (q.model != no_key)
      if (auto e = find(make_key(prediction_level::model_type, q.type, clock, q.model, none, none)))
        return answer(e->value_s * per_speed * cpu_prior, prediction_level::model_type, e->count);
    if (auto e = find(make_key(prediction_level::type_kind, q.type, clock, static_cast<std::uint32_t>(kind), none, none))) {
      // The kinds' means mix different models: a CPU that ran only small
      // ones is not faster than the GPUs for a model it has never run.
      double v = e->value_s;
      if (blind_cpu)
        for (auto other : {device_kind::cuda, device_kind::rocm})
          if (auto g = find(make_key(prediction_level::type_kind, q.type, clock, static_cast<std::uint32_t>(other), none, none)))
            v = std::max(v, g->value_s * cpu_prior);
      return answer(v * per_speed, prediction_level::type_kind, e->count);
    }
    if (auto e = find(make_key(prediction_level::type, q.type, clock, none, none, none)))
      return answer(e->value_s * per_speed * cpu_prior, prediction_level::type, e->count);
  }
  return answer(default_seconds(q.type) * per_speed * cpu_prior, prediction_level::default_estimate, 0);
}

prediction execution_predictor::predict(const task& t, const worker_capability& worker) const {
  return predict(prepare(t), find_device(worker.name), worker.kind, clock_of(worker), worker.speed);
}

bool execution_predictor::knows_variant(const task& t) const {
  return knows_variant(task_variant(t.model, t.id), t.type);
}

bool execution_predictor::knows_variant(std::string_view variant, task_type type) const {
  if (variant.empty()) return false;
  const auto k = find_variant(variant);
  if (!k) return false;
  for (auto clock : {run_clock::wall, run_clock::modeled})
    if (find(make_key(prediction_level::model_type, type, clock, *k, none, none))) return true;
  return false;
}

prediction execution_predictor::predict(const task& t) const {
  // Worker-independent: skip the device and kind levels. One clock answers,
  // never a mix: the one with more results of the model, else of the type
  // (wall on a tie: the simulator and the bench families have only modeled).
  const query q = prepare(t.model, t.type, t.batch_size, false, task_variant(t.model, t.id));
  const double units = batch_factor(q.batch_size);
  auto answer = [this](double s, prediction_level level, std::uint64_t n) {
    const double seconds = std::max(clamp_seconds(s), 1e-6);
    return prediction{seconds, level, n, p90_seconds(seconds, level)};
  };
  auto best = [this, &q](prediction_level level, std::uint32_t name) -> const estimate* {
    const estimate* wall = find(make_key(level, q.type, run_clock::wall, name, none, none));
    const estimate* modeled = find(make_key(level, q.type, run_clock::modeled, name, none, none));
    if (!wall) return modeled;
    return modeled && modeled->count > wall->count ? modeled : wall;
  };
  for (auto name : {q.variant, q.model})
    if (name != no_key)
      if (auto e = best(prediction_level::model_type, name))
        return answer(e->value_s * units, prediction_level::model_type, e->count);
  if (auto e = best(prediction_level::type, none))
    return answer(e->value_s * units, prediction_level::type, e->count);
  return answer(default_seconds(q.type) * units, prediction_level::default_estimate, 0);
}

std::uint64_t execution_predictor::type_clock_key(task_type type, run_clock clock, std::uint32_t name) {
  return (static_cast<std::uint64_t>(type) << 40) | (static_cast<std::uint64_t>(clock) << 32) | name;
}

execution_predictor::type_clock_name execution_predictor::split_type_clock_key(std::uint64_t k) {
  return {static_cast<task_type>(k >> 40 & 0xffu), static_cast<run_clock>(k >> 32 & 0xffu),
          static_cast<std::uint32_t>(k & 0xffffffffu)};
}

double execution_predictor::blind_cpu_prior(task_type type, run_clock clock, key device) const {
  if (device == no_key) return blind_cpu_factor;
  auto it = cpu_evidence_.find(type_clock_key(type, clock, device));
  return it == cpu_evidence_.end() || it->second.prior <= 0.0 ? blind_cpu_factor : it->second.prior;
}

void execution_predictor::cpu_evidence::refresh_prior() {
  if (log_ratio_by_model.size() < cpu_evidence_models) {
    prior = 0.0;
    return;
  }
  std::vector<double> logs;
  logs.reserve(log_ratio_by_model.size());
  for (const auto& [m, v] : log_ratio_by_model) logs.push_back(v);
  const auto k = static_cast<std::size_t>(std::ceil(cpu_evidence_quantile * static_cast<double>(logs.size()))) - 1;
  std::nth_element(logs.begin(), logs.begin() + static_cast<std::ptrdiff_t>(k), logs.end());
  // Evidence lowers the prior, never raises it (a family's ratio does that).
  prior = std::clamp(std::exp(logs[k]), 0.1, blind_cpu_factor);
}

void execution_predictor::note_cpu_ratio(task_type type, run_clock clock, key device, key model, double ratio,
                                         bool at_least) {
  if (!ran_on_gpu_.contains(type_clock_key(type, clock, model)) || !(ratio > 0.0)) return;
  auto& ev = cpu_evidence_[type_clock_key(type, clock, device)];
  const double x = std::log(ratio);
  auto [it, fresh] = ev.log_ratio_by_model.try_emplace(model, x);
  // A result moves the model's ratio halfway (recent runs weigh more); a
  // lower bound only raises it.
  if (!fresh) it->second = at_least ? std::max(it->second, x) : it->second + 0.5 * (x - it->second);
  ev.refresh_prior();
}

void execution_predictor::update(const entry_key& k, double value_s) {
  auto& e = estimates_[k];
  ++e.count;
  const double alpha = e.count <= mean_samples ? 1.0 / static_cast<double>(e.count) : ewma_alpha;
  e.value_s = clamp_seconds(e.value_s + alpha * (value_s - e.value_s));
}

void execution_predictor::update_exact(key model, task_type type, run_clock clock, int batch_size, key device,
                                       double value_s, bool pooled) {
  const auto k = make_key(prediction_level::exact, type, clock, model, batch_key(batch_size), device);
  const auto* before = find(k);
  const std::optional<double> old = before ? std::optional{before->value_s} : std::nullopt;
  update(k, value_s);
  scaling_.replace(series_of(type, clock), model, device, batch_size, old, estimates_[k].value_s, pooled);
}

void execution_predictor::update_ratio(const entry_key& k, double ratio) {
  auto& e = estimates_[k];
  ++e.count;
  const double alpha = e.count <= mean_samples ? 1.0 / static_cast<double>(e.count) : ewma_alpha;
  const double log_value = e.count == 1 ? 0.0 : std::log(e.value_s);
  e.value_s = std::exp(log_value + alpha * (std::log(ratio) - log_value));
}

void execution_predictor::record(std::string_view model, task_type type, int batch_size,
                                 const worker_capability& worker, double duration_s, bool generalize,
                                 std::string_view variant) {
  if (!std::isfinite(duration_s) || duration_s < 0.0) return;
  const double d = clamp_seconds(duration_s);
  const double units = batch_factor(batch_size);
  const double per_unit = d / units;
  const double per_unit_speed1 = per_unit * clamp_speed(worker.speed);
  const key device = devices_.intern(worker.name);
  const run_clock clock = clock_of(worker);
  ++samples_;
  changes_.note_record(model.empty() ? prediction_changes::none : names_.intern(model), type, device, worker.kind);
  if (!model.empty()) {
    const key m = names_.intern(model);
    // time = model x device, learned alternately: the device's ratio to the
    // model's normalized time (a geometric mean, so 10x slower and 10x faster
    // weigh the same), then the model's time normalized by that ratio.
    const auto family = model_family(model);
    const auto device_ratio_key = make_key(prediction_level::device_ratio, type, clock, none, none, device);
    const auto normalized_key = make_key(prediction_level::model_type_normalized, type, clock, m, none, none);
    if (worker.kind != device_kind::cpu) ran_on_gpu_.insert(type_clock_key(type, clock, m));
    // The variant's own runs, as the model's (its device ratios are the model's).
    const key v = variant.empty() || variant == model ? no_key : intern_variant(variant);
    if (v != no_key) {
      variant_last_device_[v] = {device, clock};
      changes_.note_record(v, type, device, worker.kind);
      update_exact(v, type, clock, batch_size, device, d, false);
      update(make_key(prediction_level::model_type_device, type, clock, v, none, device), per_unit);
    }
    if (!generalize) {  // the model on this device only
      update_exact(m, type, clock, batch_size, device, d);
      update(make_key(prediction_level::model_type_device, type, clock, m, none, device), per_unit);
      return;
    }
    if (auto norm = find(normalized_key); norm && norm->value_s > 0.0) {
      const double ratio = std::clamp(per_unit_speed1 / norm->value_s, 1e-3, 1e3);
      if (worker.kind == device_kind::cpu) note_cpu_ratio(type, clock, device, m, ratio, false);
      if (!family.empty())
        update_ratio(make_key(prediction_level::family_device_ratio, type, clock, names_.intern(family), none, device), ratio);
      update_ratio(device_ratio_key, ratio);
    }
    const auto* ratio = find(device_ratio_key);
    const double normalized = per_unit_speed1 / (ratio && ratio->value_s > 0.0 ? ratio->value_s : 1.0);
    update(normalized_key, normalized);
    if (v != no_key) {
      update(make_key(prediction_level::model_type_normalized, type, clock, v, none, none), normalized);
      update(make_key(prediction_level::model_type, type, clock, v, none, none), per_unit_speed1);
    }
    update_exact(m, type, clock, batch_size, device, d);
    update(make_key(prediction_level::model_type_device, type, clock, m, none, device), per_unit);
    update(make_key(prediction_level::model_type, type, clock, m, none, none), per_unit_speed1);
    if (!family.empty())
      update(make_key(prediction_level::family_type_device, type, clock, names_.intern(family), none, device), per_unit);
  }
  update(make_key(prediction_level::type_kind, type, clock, static_cast<std::uint32_t>(worker.kind), none, none),
         per_unit_speed1);
  update(make_key(prediction_level::type, type, clock, none, none, none), per_unit_speed1);
}

void execution_predictor::record_accuracy(double predicted_s, double actual_s) {
  if (!std::isfinite(predicted_s) || !std::isfinite(actual_s) || actual_s <= 0.0 || predicted_s < 0.0) return;
  const double error = std::min(std::abs(predicted_s - actual_s), max_seconds);
  ++accuracy_samples_;
  abs_error_sum_s_ += error;
  abs_percentage_error_sum_ += std::min(error / actual_s, 1e6);
}

void execution_predictor::record_spread(const prediction& predicted, double actual_s) {
  if (!std::isfinite(actual_s) || actual_s <= 0.0 || !(predicted.seconds > 0.0)) return;
  spread_.record(predicted.level, predicted.seconds, actual_s);
  if (predicted.p90_s > 0.0) {
    ++p90_samples_;
    if (actual_s <= predicted.p90_s) ++at_or_under_p90_;
  }
}

void execution_predictor::record_outcome(const prediction& predicted, double actual_s) {
  record_accuracy(predicted.seconds, actual_s);
  record_spread(predicted, actual_s);
}

void execution_predictor::record_lower_bound(std::string_view model, task_type type, int batch_size,
                                             const worker_capability& worker, double ran_s, std::string_view variant) {
  if (model.empty() || !std::isfinite(ran_s) || ran_s <= 0.0) return;
  const double d = clamp_seconds(ran_s);
  const key m = names_.intern(model);
  const key device = devices_.intern(worker.name);
  const run_clock clock = clock_of(worker);
  const auto raise = [&](const entry_key& k, double at_least) {
    auto& e = estimates_[k];
    if (e.count > 0 && e.value_s >= at_least) return;
    const std::optional<double> old = e.count > 0 ? std::optional{e.value_s} : std::nullopt;
    e.value_s = at_least;
    e.count = std::max<std::uint64_t>(e.count, 1);
    if (k.batch != none) scaling_.replace(series_of(type, clock), k.name, device, batch_size, old, e.value_s, k.name == m);
  };
  raise(make_key(prediction_level::exact, type, clock, m, batch_key(batch_size), device), d);
  raise(make_key(prediction_level::model_type_device, type, clock, m, none, device), d / batch_factor(batch_size));
  // The variant's runs there, which answer first, are as long at least.
  if (!variant.empty() && variant != model) {
    const key v = intern_variant(variant);
    raise(make_key(prediction_level::exact, type, clock, v, batch_key(batch_size), device), d);
    raise(make_key(prediction_level::model_type_device, type, clock, v, none, device), d / batch_factor(batch_size));
    changes_.note_record(v, type, device, worker.kind);
  }
  // The device is at least this much slower than the model's normalized
  // time says: other models of the family (and, without a family ratio,
  // of any family) are predicted from that ratio there.
  if (auto norm = find(make_key(prediction_level::model_type_normalized, type, clock, m, none, none)); norm && norm->value_s > 0.0) {
    const double ratio = std::clamp(d / batch_factor(batch_size) * clamp_speed(worker.speed) / norm->value_s, 1e-3, 1e3);
    if (worker.kind == device_kind::cpu) note_cpu_ratio(type, clock, device, m, ratio, true);
    const auto family = model_family(model);
    if (!family.empty())
      raise(make_key(prediction_level::family_device_ratio, type, clock, names_.intern(family), none, device), ratio);
    raise(make_key(prediction_level::device_ratio, type, clock, none, none, device), ratio);
  }
  changes_.note_record(m, type, device, worker.kind);
}

predictor_accuracy execution_predictor::accuracy() const {
  predictor_accuracy a;
  a.p90_samples = p90_samples_;
  a.at_or_under_p90 = at_or_under_p90_;
  a.samples = accuracy_samples_;
  if (accuracy_samples_ > 0) {
    a.mape = abs_percentage_error_sum_ / static_cast<double>(accuracy_samples_);
    a.mean_abs_error_s = abs_error_sum_s_ / static_cast<double>(accuracy_samples_);
  }
  return a;
}

predictor_snapshot execution_predictor::snapshot() const {
  predictor_snapshot s;
  s.entries.reserve(estimates_.size());
  for (const auto& [k, e] : estimates_) {
    predictor_entry out;
    out.level = static_cast<prediction_level>(k.level_type >> 16);
    out.clock = static_cast<run_clock>(k.level_type >> 8 & 0xffu);
    out.type = static_cast<task_type>(k.level_type & 0xffu);
    if (out.level == prediction_level::type_kind) out.kind = static_cast<device_kind>(k.name);
    else if (k.name != none) {
      out.model = names_.name(k.name);
      out.variant = is_variant(k.name);
    }
    if (k.batch != none) out.batch_size = static_cast<int>(k.batch);
    if (k.device != none) out.device = devices_.name(k.device);
    out.estimate_s = e.value_s;
    out.count = e.count;
    s.entries.push_back(std::move(out));
  }
  std::sort(s.entries.begin(), s.entries.end(), [](const predictor_entry& a, const predictor_entry& b) {
    return std::tie(a.level, a.model, a.variant, a.type, a.batch_size, a.device, a.kind, a.clock) <
           std::tie(b.level, b.model, b.variant, b.type, b.batch_size, b.device, b.kind, b.clock);
  });
  for (const auto& [k, ev] : cpu_evidence_) {
    const auto [type, clock, device] = split_type_clock_key(k);
    for (const auto& [m, log_ratio] : ev.log_ratio_by_model)
      s.cpu_ratios.push_back({type, clock, devices_.name(device), names_.name(m), std::exp(log_ratio)});
  }
  std::sort(s.cpu_ratios.begin(), s.cpu_ratios.end(), [](const auto& a, const auto& b) {
    return std::tie(a.type, a.clock, a.device, a.model) < std::tie(b.type, b.clock, b.device, b.model);
  });
  for (const auto k : ran_on_gpu_) {
    const auto [type, clock, model] = split_type_clock_key(k);
    s.models_on_gpus.push_back({type, clock, names_.name(model)});
  }
  std::sort(s.models_on_gpus.begin(), s.models_on_gpus.end(), [](const auto& a, const auto& b) {
    return std::tie(a.type, a.clock, a.model) < std::tie(b.type, b.clock, b.model);
  });
  s.accuracy_samples = accuracy_samples_;
  s.abs_percentage_error_sum = abs_percentage_error_sum_;
  s.abs_error_sum_s = abs_error_sum_s_;
  return s;
}

void execution_predictor::load(const predictor_snapshot& snapshot) {
  estimates_.clear();
  scaling_.clear();
  variant_last_device_.clear();  // not in snapshots: a loaded variant answers where it ran, else as its model
  cpu_evidence_.clear();
  ran_on_gpu_.clear();
  samples_ = 0;
  changes_.note_load();
  for (const auto& g : snapshot.models_on_gpus)
    if (!g.model.empty()) ran_on_gpu_.insert(type_clock_key(g.type, g.clock, names_.intern(g.model)));
  for (const auto& c : snapshot.cpu_ratios) {
    if (c.model.empty() || c.device.empty() || !std::isfinite(c.ratio) || !(c.ratio > 0.0)) continue;
    auto& ev = cpu_evidence_[type_clock_key(c.type, c.clock, devices_.intern(c.device))];
    ev.log_ratio_by_model[names_.intern(c.model)] = std::log(std::clamp(c.ratio, 1e-3, 1e3));
  }
  for (auto& [k, ev] : cpu_evidence_) ev.refresh_prior();
  for (const auto& e : snapshot.entries) {
    if (e.level == prediction_level::model_batch_scaled) continue;  // never stored
    if (!std::isfinite(e.estimate_s) || e.estimate_s < 0.0 || e.count == 0) continue;
    std::uint32_t name = none, batch = none, device = none;
    if (e.level == prediction_level::type_kind) name = static_cast<std::uint32_t>(e.kind);
    else if (!e.model.empty()) name = e.variant ? intern_variant(e.model) : names_.intern(e.model);
    if (e.level == prediction_level::exact) batch = batch_key(e.batch_size);
    if (!e.device.empty()) device = devices_.intern(e.device);
    auto& est = estimates_[make_key(e.level, e.type, e.clock, name, batch, device)];
    const std::optional<double> old = est.count > 0 ? std::optional{est.value_s} : std::nullopt;
    est.value_s = clamp_seconds(e.estimate_s);
    est.count = e.count;
    if (e.level == prediction_level::exact && name != none && device != none)
      scaling_.replace(series_of(e.type, e.clock), name, device, e.batch_size, old, est.value_s,
                       !e.variant);
    if (e.level == prediction_level::type) samples_ += e.count;
  }
  accuracy_samples_ = snapshot.accuracy_samples;
  abs_percentage_error_sum_ = std::isfinite(snapshot.abs_percentage_error_sum) ? snapshot.abs_percentage_error_sum : 0.0;
  abs_error_sum_s_ = std::isfinite(snapshot.abs_error_sum_s) ? snapshot.abs_error_sum_s : 0.0;
}

} // namespace dtf
