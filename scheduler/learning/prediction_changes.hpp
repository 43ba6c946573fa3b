#pragma once
// Which results could have changed a prediction: counters per group of the
// execution_predictor's keys, so that a caller holding a prediction can tell
// cheaply that it still stands (deferral certificates in the core).
//
// A prediction of (model m, family f, type t, batch) on device d of kind k
// reads, level by level until one answers (execution_predictor.hpp):
//   exact                              written by results of (m, t, d)
//   model_batch_scaled                 by results of (m, t, d); the device's
//                                      batch growth by results of (t, d)
//   model_type_device                  by results of (m, t, d), answering
//                                      while the device has learned no growth
//   model_type_scaled: normalized      by results of (m, t)
//                      device ratios   by results of (t, d)
//   family_type_device                 by results of (t, d)
//   model_type                         by results of (m, t)
//   type_kind                          by results of (t, k) (a CPU: of (t, any kind))
//   type, default                      by results of (t)
// An answer depends on its level's keys and on the absence of the levels
// above it, so its stamp sums the counters of those groups.
#include "scheduler/model/device_kind.hpp"
#include "scheduler/model/task.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace dtf {

enum class prediction_level;

class prediction_changes {
public:
  static constexpr std::uint32_t none = 0xffffffffu;  // no model (or no device)

  /// A result of `model` (none: without a model) and type on the device.
  void note_record(std::uint32_t model, task_type type, std::uint32_t device, device_kind kind);
  /// Everything may have changed (a snapshot was loaded).
  void note_load() { ++loads_; }
  /// Changes whenever a result could change a prediction that answered at `answered`.
  std::uint64_t stamp(std::uint32_t model, task_type type, std::uint32_t device, device_kind kind,
                      prediction_level answered) const;

private:
  using per_type = std::array<std::uint64_t, 3>;
  static std::uint64_t at(const std::vector<per_type>& v, std::uint32_t index, task_type type) {
    return index < v.size() ? v[index][static_cast<std::size_t>(type) % 3] : 0;
  }
  per_type by_type_{};
  std::array<per_type, 3> by_kind_{};               // [kind][type]
  std::vector<per_type> by_device_;                  // [device][type]
  std::vector<per_type> by_model_;                   // [model][type]
  std::vector<std::vector<per_type>> by_model_device_;  // [device][model][type]
  std::uint64_t loads_ = 0;
};

} // namespace dtf
