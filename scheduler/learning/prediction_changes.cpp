#include "scheduler/learning/prediction_changes.hpp"

#include "scheduler/learning/execution_predictor.hpp"

namespace dtf {

void prediction_changes::note_record(std::uint32_t model, task_type type, std::uint32_t device, device_kind kind) {
  const auto t = static_cast<std::size_t>(type) % 3;
  ++by_type_[t];
  ++by_kind_[static_cast<std::size_t>(kind) % 3][t];
  if (device != none) {
    if (by_device_.size() <= device) by_device_.resize(device + 1, per_type{});
    ++by_device_[device][t];
  }
  if (model == none) return;
  if (by_model_.size() <= model) by_model_.resize(model + 1, per_type{});
  ++by_model_[model][t];
  if (device == none) return;
  if (by_model_device_.size() <= device) by_model_device_.resize(device + 1);
  auto& models = by_model_device_[device];
  if (models.size() <= model) models.resize(model + 1, per_type{});
  ++models[model][t];
}

std::uint64_t prediction_changes::stamp(std::uint32_t model, task_type type, std::uint32_t device, device_kind kind,
                                        prediction_level answered) const {
  const std::uint64_t loads = loads_ << 48;
  if (answered == prediction_level::type || answered == prediction_level::default_estimate || device == none)
    return loads + by_type_[static_cast<std::size_t>(type) % 3];
  const std::uint64_t own = model != none && device < by_model_device_.size() ? at(by_model_device_[device], model, type) : 0;
  // Only (m, t, d) results write the exact key.
  if (answered == prediction_level::exact) return loads + own;
  std::uint64_t sum = at(by_device_, device, type) + own;
  // The model's estimates there (model_type_device: until the device has
  // learned its batch growth, which any result of (t, d) may start or move).
  if (answered == prediction_level::model_batch_scaled || answered == prediction_level::model_type_device)
    return loads + sum;
  if (model != none) sum += at(by_model_, model, type);
  if (answered == prediction_level::type_kind) {
    const auto t = static_cast<std::size_t>(type) % 3;
    if (kind == device_kind::cpu)  // a CPU's answer reads the GPU kinds' too
      for (const auto& k : by_kind_) sum += k[t];
    else
      sum += by_kind_[static_cast<std::size_t>(kind) % 3][t];
  }
  return loads + sum;
}

} // namespace dtf
