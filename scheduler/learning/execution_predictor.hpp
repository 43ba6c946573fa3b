#pragma once
// Learns execution times from results and predicts them. History is keyed by
// (model, type, batch size, device name); a query falls back through coarser
// keys to a size-scaled default:
//   exact             (model, type, batch, device)      seconds
//   model_batch_scaled the model's exact estimates on the device at other
//                     batch sizes, moved along the device's learned batch
//                     growth (batch_scaling.hpp)
//   model_type_device (model, type, device)             seconds per batch unit
//   model_type_scaled a multiplicative model, time = model x device: the
//                     model's time normalized by the device ratio it ran on
//                     (model_type_normalized) x the device's ratio
//                     (family_device_ratio, else device_ratio), both learned
//                     online -- so a model never seen on a device is predicted
//                     from how that device runs other models
//   family_type_device(family, type, device)            seconds per batch unit
//   model_type        (model, type)                     seconds per batch unit at speed 1
//   type_kind         (type, device kind)               seconds per batch unit at speed 1
//   type              (type)                            seconds per batch unit at speed 1
//   default_estimate  per-type constant x batch factor / speed
// Each result is also learned for its task's variant (model/task_variant.hpp:
// the model plus what the id says beyond it, such as the dataset), at the
// exact, model_type_device, model_type_normalized and model_type keys under
// the variant's name: a query with a learned variant answers from the
// variant's exact, model_batch_scaled or model_type_device level first, then
// from the model's levels scaled by the variant's time over the model's on the
// device the variant last ran on; the queue estimate is the variant's
// model_type first. Variants leave the devices' batch growth to the models.
// A batch unit is batch_factor(batch) = sqrt(max(batch, 1)). Estimates are a
// running mean for the first 10 samples, then an EWMA (alpha 0.1), so they
// follow drift but one outlier cannot swing them. Every prediction carries
// its uncertainty: a p90 from the spread of its level's past errors
// (prediction_spread.hpp; a cold start answers with a wide prior, not a
// confident default). Accuracy (MAPE of the predictions made at placement vs
// the results) and calibration (share of results at or under the p90) are
// recorded, not assumed. A timed-out or cancelled attempt, or one still
// running past its prediction, is a lower bound on the run time
// (record_lower_bound): the estimates for that device rise to at least it,
// and so does the device's ratio for the model's family. A task that may run
// on a GPU is predicted 30x slower on a CPU no result of its own model speaks
// for (query::gpu_capable; the .cpp says why): its family's CPU ratio and
// times may raise that, never lower it; what the CPU measured for at least
// three other models of the task's type that also ran on a GPU lowers it to
// the slower quarter of their ratios (blind_cpu_prior).
// Every level is kept per clock (run_clock.hpp): an emulated worker's modeled
// seconds and a real worker's wall seconds never answer for each other, from
// the exact key down to the type level. A worker's predictions read its own
// clock's estimates only; the worker-independent one (queue order) reads the
// clock that knows the model best (see predict(const task&)). The spreads of
// log errors and the accuracy counters are shared: ratios, not seconds
// (predictor_accuracy::mean_abs_error_s alone adds both clocks' seconds).
// Never returns NaN or inf: non-finite or negative durations are ignored.
#include "scheduler/learning/batch_scaling.hpp"
#include "scheduler/learning/prediction_changes.hpp"
#include "scheduler/learning/prediction_spread.hpp"
#include "scheduler/model/run_clock.hpp"
#include "scheduler/model/string_interner.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/worker.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace dtf {

enum class prediction_level {
  exact, model_type_device, family_type_device, model_type, type_kind, type, default_estimate,
  // Device speed learned relative to each model's own mean (stored ratios, and
  // the level of an answer built from them).
  model_type_scaled, family_device_ratio, device_ratio, model_type_normalized,
  // After the stored levels (snapshots carry those by number); never stored.
  model_batch_scaled
};
std::string_view to_string(prediction_level level);

struct prediction {
  double seconds = 0.0;  // the point estimate (about the median)
  prediction_level level = prediction_level::default_estimate;
  std::uint64_t samples = 0;  // samples behind the answering level
  double p90_s = 0.0;    // 90 % of runs are expected to end by then (0: not asked)
};

/// Levels whose answer comes from this model's own history (not its family,
/// its type or a default): the only ones confident enough to start a backup.
bool from_model_history(prediction_level level);

/// Whether the task accepts a GPU kind (cuda or rocm).
bool accepts_gpu(const task& t);

/// One learned estimate, in the plain form snapshots carry between actors.
struct predictor_entry {
  prediction_level level = prediction_level::type;
  std::string model;       // model (or family at family_type_device); "" when not in the key
  task_type type = task_type::custom;
  int batch_size = 0;      // exact level only
  std::string device;      // device name at device levels, else ""
  device_kind kind = device_kind::cpu;  // type_kind level only
  run_clock clock = run_clock::wall;     // the clock of the results behind it
  double estimate_s = 0.0; // see the level table above for the unit
  std::uint64_t count = 0;
  /// `model` names a task variant (model/task_variant.hpp), not a model: a
  /// flag, not the name's form, says so (a model's name may hold a '|').
  bool variant = false;
};

struct predictor_accuracy {
  std::uint64_t samples = 0;
  double mape = 0.0;              // mean absolute percentage error, as a fraction (0.1 = 10 %)
  double mean_abs_error_s = 0.0;
  std::uint64_t p90_samples = 0;     // results compared with their prediction's p90
  std::uint64_t at_or_under_p90 = 0; // ... that ended at or under it
  /// Share of results at or under their p90 (nullopt before any).
  std::optional<double> p90_coverage() const {
    if (p90_samples == 0) return std::nullopt;
    return static_cast<double>(at_or_under_p90) / static_cast<double>(p90_samples);
  }
};

/// One model's CPU:GPU ratio on a CPU device (the evidence behind blind_cpu_prior).
struct predictor_cpu_ratio {
  task_type type = task_type::custom;
  run_clock clock = run_clock::wall;
  std::string device;
  std::string model;
  double ratio = 1.0;
};

/// A model that has a result on a GPU (its CPU results are then evidence).
struct predictor_gpu_model {
  task_type type = task_type::custom;
  run_clock clock = run_clock::wall;
  std::string model;
};

/// The predictor's whole state as a copyable value (vectors of entries).
struct predictor_snapshot {
  std::vector<predictor_entry> entries;  // sorted: level, model, type, batch, device, kind, clock
  std::vector<predictor_cpu_ratio> cpu_ratios;      // sorted: type, clock, device, model
  std::vector<predictor_gpu_model> models_on_gpus;  // sorted: type, clock, model
  std::uint64_t accuracy_samples = 0;
  double abs_percentage_error_sum = 0.0;
  double abs_error_sum_s = 0.0;
};

class execution_predictor {
public:
  using key = string_interner::key;
  static constexpr key no_key = ~key{0};
  static constexpr double max_seconds = 1e9;

  /// A prepared query: names resolved once, then predicted for many devices.
  struct query {
    key model = no_key;
    key family = no_key;
    task_type type = task_type::custom;
    int batch_size = 0;
    /// The task accepts a GPU kind: a CPU no result speaks for is assumed
    /// slower than a GPU (see blind_cpu_factor in the .cpp).
    bool gpu_capable = false;
    /// The task's variant (model/task_variant.hpp) once a result of it was
    /// learned: its own runs answer before the model's.
    key variant = no_key;
  };

  static double batch_factor(int batch_size);
  static double default_seconds(task_type type);

  query prepare(std::string_view model, task_type type, int batch_size, bool gpu_capable = false,
                std::string_view variant = {}) const;
  /// The query of a task (its variant from its id).
  query prepare(const task& t) const;
  /// Names (models, families) resolved so far: a prepared query stays valid
  /// while this count does not change (names are only ever added) -- and,
  /// where it found no variant, while variant_count() does not.
  std::size_t name_count() const { return names_.size() - variant_keys_.size(); }
  /// Task variants learned so far (a count apart, so that ids unique to
  /// each task, each a variant of its own, do not invalidate every query).
  std::size_t variant_count() const { return variant_keys_.size(); }
  /// Device key of a device name (interned, so later results can be stored).
  key device_key(std::string_view device_name);
  key find_device(std::string_view device_name) const;

  /// The prediction on a device of this kind whose results come in `clock`.
  prediction predict(const query& q, key device, device_kind kind, run_clock clock, double speed) const;
  /// Changes whenever record() or load() could change what predict(q, device,
  /// kind, ...) answers, given the level it answered at (prediction_changes.hpp),
  /// and whenever a level turns noisy or back (prediction_spread::noisy).
  /// Valid for q while name_count() does not change.
  std::uint64_t change_stamp(const query& q, key device, device_kind kind, prediction_level answered) const {
    // An answer from the model's runs also depends on the variant's having none there.
    const auto variant = q.variant != no_key ? changes_.stamp(q.variant, q.type, device, kind, answered) : 0;
    return changes_.stamp(q.model, q.type, device, kind, answered) + variant + spread_.noisy_changes();
  }
  prediction predict(const task& t, const worker_capability& worker) const;
  /// Whether results of t's variant were learned (its worker-independent
  /// estimate then comes from them).
  bool knows_variant(const task& t) const;
  /// ... given the variant (task_variant(t.model, t.id), as the caller keeps it) and t's type.
  bool knows_variant(std::string_view variant, task_type type) const;
  /// Worker-independent estimate (speed 1, no device levels): used for queue
  /// order. Answers from one clock: the one with more results of the task's
  /// model (type), else of its type, else the default.
  prediction predict(const task& t) const;

  /// Learns from one successful run. Ignores negative or non-finite durations.
  /// generalize false: a run selected for being fast there (a probe that
  /// finished) -- learned for its model only, not into the device's ratios
  /// or the CPU evidence that other models are predicted from.
  /// variant: the task's (model/task_variant.hpp), learned beside the model.
  void record(std::string_view model, task_type type, int batch_size, const worker_capability& worker,
              double duration_s, bool generalize = true, std::string_view variant = {});
  /// Accuracy bookkeeping: a prediction made for a run and its actual duration.
  void record_accuracy(double predicted_s, double actual_s);
  /// A prediction made from history and the run's actual duration: MAPE,
  /// calibration of its p90, and its level's spread.
  void record_outcome(const prediction& predicted, double actual_s);
  /// Only the level's spread and the calibration (predictions from a default).
  void record_spread(const prediction& predicted, double actual_s);
  /// An attempt ended (timed out, cancelled) after `ran_s` without finishing:
  /// the run takes at least that long on this worker, so the estimates that
  /// answer for it there rise to at least `ran_s`.
  void record_lower_bound(std::string_view model, task_type type, int batch_size, const worker_capability& worker,
                          double ran_s, std::string_view variant = {});
  const prediction_spread& spread() const { return spread_; }
  /// While submissions arrive, levels whose predictions do not order the runs count as noisy
  /// (prediction_spread::judge_order).
  void judge_prediction_order(bool on) { spread_.judge_order(on); }
  /// The p90 of a prediction of `seconds` made at `level`.
  double p90_seconds(double seconds, prediction_level level) const {
    return spread_.p90_s(seconds, level);
  }
  predictor_accuracy accuracy() const;
  /// Results learned from.
  std::uint64_t samples() const { return samples_; }

  predictor_snapshot snapshot() const;
  void load(const predictor_snapshot& snapshot);

private:
  struct entry_key {
    std::uint32_t level_type;  // level << 16 | clock << 8 | type
    std::uint32_t name;        // model or family key, or kind at type_kind
    std::uint32_t batch;
    std::uint32_t device;
    bool operator==(const entry_key&) const = default;
  };
  struct entry_key_hash {
    std::size_t operator()(const entry_key& k) const noexcept;
  };
  struct estimate {
    double value_s = 0.0;
    std::uint64_t count = 0;
  };
  static entry_key make_key(prediction_level level, task_type type, run_clock clock, std::uint32_t name,
                            std::uint32_t batch, std::uint32_t device);
  void update(const entry_key& k, double value_s);
  /// The exact estimate, and the device's batch scaling with it.
  void update_exact(key model, task_type type, run_clock clock, int batch_size, key device, double value_s,
                    bool pooled = true);
  static std::uint32_t series_of(task_type type, run_clock clock);
  /// Geometric running mean (then EWMA) of a positive ratio.
  void update_ratio(const entry_key& k, double ratio);
  const estimate* find(const entry_key& k) const;
  /// The levels that answer from runs of `name` (a model, or a variant) on
  /// the device: exact, model_batch_scaled, model_type_device, and with
  /// `scaled` model_type_scaled.
  std::optional<prediction> from_own_runs(std::uint32_t name, const query& q, key device, run_clock clock,
                                          double per_speed, bool blind_cpu, double cpu_prior, bool scaled) const;
  /// The slowdown assumed on CPU `device` for a task that may run on a GPU
  /// and that no result of its own model there speaks for (see cpu_evidence).
  double blind_cpu_prior(task_type type, run_clock clock, key device) const;
  /// A CPU result (or lower bound, at_least) of a model that also ran on a
  /// GPU: its ratio there (its time over its normalized time) is evidence.
  void note_cpu_ratio(task_type type, run_clock clock, key device, key model, double ratio, bool at_least);
  /// (type, clock, name) as one hashable number, and back.
  static std::uint64_t type_clock_key(task_type type, run_clock clock, std::uint32_t name);
  struct type_clock_name {
    task_type type;
    run_clock clock;
    std::uint32_t name;
  };
  static type_clock_name split_type_clock_key(std::uint64_t k);

  string_interner names_;    // models, families and task variants
  // Task variants are numbered with names_ but looked up apart, so that a
  // model whose name reads like a variant's is never taken for one.
  std::unordered_map<std::string, key> variant_keys_;
  key intern_variant(std::string_view variant);
  std::optional<key> find_variant(std::string_view variant) const;
  /// Whether name key `name` is a task variant's (its name indexed there under this key).
  bool is_variant(key name) const { return find_variant(names_.name(name)) == name; }
  string_interner devices_;  // device names
  std::unordered_map<entry_key, estimate, entry_key_hash> estimates_;  // looked up; snapshot() sorts
  std::uint64_t samples_ = 0;
  prediction_changes changes_;  // for change_stamp
  batch_scaling scaling_;       // from the exact estimates; load() rebuilds it
  prediction_spread spread_;  // learned by the core from its own results; load() keeps it
  // CPU:GPU evidence per (type, clock, CPU device): the log ratio of each
  // model that ran there and on a GPU, and the prior it gives (blind_cpu_prior).
  struct cpu_evidence {
    std::unordered_map<key, double> log_ratio_by_model;
    double prior = 0.0;  // 0: too few models yet
    void refresh_prior();
  };
  std::unordered_map<std::uint64_t, cpu_evidence> cpu_evidence_;
  std::unordered_set<std::uint64_t> ran_on_gpu_;  // (type, clock, model) with a result on a GPU
  // The device each task variant last ran on: its size against its model's is read there.
  struct device_clock {
    key device = no_key;
    run_clock clock = run_clock::wall;
  };
  std::unordered_map<key, device_clock> variant_last_device_;
  std::uint64_t p90_samples_ = 0;
  std::uint64_t at_or_under_p90_ = 0;
  std::uint64_t accuracy_samples_ = 0;
  double abs_percentage_error_sum_ = 0.0;
  double abs_error_sum_s_ = 0.0;
};

} // namespace dtf
