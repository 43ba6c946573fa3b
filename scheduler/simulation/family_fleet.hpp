#pragma once
// Devices, models and fleets of the benchmark's scenario families
// (scenario_families.hpp): eight device kinds from a K80 to an A100 and a Xeon
// CPU, with speeds per Gavel workload -- measured for K80, P100 and V100
// (device_throughputs.hpp), stated assumptions for the others.
#include "scheduler/model/device_kind.hpp"
#include "scheduler/model/worker.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace dtf {

struct device_spec {
  std::string_view name;       // worker name and the trace's duration key
  std::string_view id_prefix;  // worker ids: prefix-1, prefix-2, ...
  device_kind kind;
  double memory_gb;
  std::optional<double> compute_capability;
  std::string_view arch;
  int cores;
  int slots;
  int year;  // release: "newest" in the families' statistics
  int pus;   // hardware threads (0: unknown)
};

/// Worker `number` (1-based) of the device: id prefix-number, emulated, speed 1.
worker_capability emulated_worker(const device_spec& device, std::size_t number);

/// K80, P100, V100, T4, MI50, A100, MI100, CPU (oldest first, ties by name).
std::span<const device_spec> family_devices();
/// The device with this id prefix ("k80", "a100", "cpu", ...); throws std::out_of_range.
const device_spec& family_device(std::string_view id_prefix);

/// Seconds on `device` per second on a V100 for a Gavel workload at a batch
/// size Gavel measured (its smallest for another batch size): measured for
/// K80/P100/V100, assumed (documented in README.md) for T4, MI50, A100, MI100, CPU.
double time_vs_v100(std::string_view workload, int batch_size, const device_spec& device);
/// A V100's measured training steps per second (Gavel) for the workload at the
/// batch size (its smallest for a batch size Gavel did not measure).
double v100_steps_per_s(std::string_view workload, int batch_size);
/// Gavel's batch sizes for a workload, ascending ({0}: one variant).
std::vector<int> gavel_batch_sizes(std::string_view workload);
/// The Gavel workloads: "A3C", "CycleGAN", "LM", "Recommendation", "ResNet-18", "ResNet-50", "Transformer".
std::vector<std::string_view> gavel_workloads();

/// `workers` workers apportioned over the shares (largest remainder, at least
/// one of each device when there is room), ids prefix-1.., in share order.
std::vector<worker_capability> build_fleet(std::span<const std::pair<const device_spec*, double>> shares,
                                           std::size_t workers);

/// A model users submit, following one Gavel workload's speed ratios.
struct family_model {
  std::string_view name;
  std::string_view workload;
  double load_s;  // cold start
  double base_memory_gb;
  double memory_gb_per_sample;
  std::vector<device_kind> hardware;  // acceptable kinds, preferred first
};
/// 16 established models (resnet, bert, t5, llama, whisper, dlrm, ...).
std::span<const family_model> established_models();
/// 8 models with names the established ones never use (new_models family).
std::span<const family_model> newer_models();

} // namespace dtf
