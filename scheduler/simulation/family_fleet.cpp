#include "scheduler/simulation/family_fleet.hpp"

#include "scheduler/simulation/device_throughputs.hpp"
#include "scheduler/simulation/fleet_apportion.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dtf {
namespace {

using k = device_kind;
const std::array<device_spec, 8> devices{{
    {"NVIDIA Tesla K80", "k80", k::cuda, 12, 3.7, "", 13, 1, 2014, 0},
    {"NVIDIA Tesla P100-PCIE-16GB", "p100", k::cuda, 16, 6.0, "", 56, 1, 2016, 0},
    {"NVIDIA Tesla V100-SXM2-32GB", "v100", k::cuda, 32, 7.0, "", 80, 1, 2017, 0},
    {"NVIDIA Tesla T4", "t4", k::cuda, 16, 7.5, "", 40, 1, 2018, 0},
    {"AMD Instinct MI50", "mi50", k::rocm, 32, std::nullopt, "gfx906", 60, 1, 2018, 0},
    {"NVIDIA A100-SXM4-80GB", "a100", k::cuda, 80, 8.0, "", 108, 1, 2020, 0},
    {"AMD Instinct MI100", "mi100", k::rocm, 32, std::nullopt, "gfx908", 120, 1, 2020, 0},
    {"Intel Xeon Gold 6148", "cpu", k::cpu, 192, std::nullopt, "", 20, 2, 2017, 40},
}};

/// Assumed speed of the devices Gavel did not measure, relative to a V100 (T4,
/// A100): a T4 a third of a V100 on dense training and close to it where the
/// model is memory or CPU bound; an A100 2-2.5x on dense work, far less on
/// the embedding-bound recommendation model and on RL.
double t4_vs_v100(std::string_view workload) {
  if (workload == "Recommendation") return 0.9;
  if (workload == "A3C") return 0.85;
  if (workload == "ResNet-18" || workload == "ResNet-50") return 0.35;
  return 0.3;
}
double a100_vs_v100(std::string_view workload) {
  if (workload == "Recommendation") return 1.6;
  if (workload == "A3C") return 1.05;
  if (workload == "Transformer") return 2.5;
  if (workload == "CycleGAN") return 2.0;
  return 2.2;
}

const measured_throughput& gavel_row(std::string_view workload, int batch_size) {
  const measured_throughput* smallest = nullptr;
  for (const auto& m : gavel_throughputs()) {
    if (m.workload != workload) continue;
    if (m.batch_size == batch_size) return m;
    if (!smallest || m.batch_size < smallest->batch_size) smallest = &m;
  }
  if (!smallest) throw std::out_of_range("no Gavel workload '" + std::string{workload} + "'");
  return *smallest;
}

const std::array<family_model, 16> established{{
    {"resnet18", "ResNet-18", 3, 1.5, 0.02, {k::cuda, k::rocm, k::cpu}},
    {"resnet50", "ResNet-50", 5, 2.5, 0.06, {k::cuda, k::rocm, k::cpu}},
    {"vit-base-patch16-224", "ResNet-50", 6, 2.0, 0.05, {k::cuda, k::rocm, k::cpu}},
    {"deit-small-patch16-224", "ResNet-18", 3, 1.0, 0.02, {k::cuda, k::rocm, k::cpu}},
    {"bert-base-uncased", "Transformer", 6, 2.0, 0.03, {k::cuda, k::rocm, k::cpu}},
    {"distilbert-base-uncased", "Transformer", 4, 1.2, 0.02, {k::cuda, k::rocm, k::cpu}},
    {"roberta-large", "Transformer", 14, 5.0, 0.08, {k::cuda, k::rocm}},
    {"whisper-small", "Transformer", 8, 2.0, 0.04, {k::cuda, k::rocm, k::cpu}},
    {"t5-small", "LM", 4, 1.0, 0.05, {k::cuda, k::rocm, k::cpu}},
    {"t5-base", "LM", 9, 2.5, 0.10, {k::cuda, k::rocm}},
    {"opt-1.3b", "LM", 20, 4.0, 0.10, {k::cuda, k::rocm}},
    {"llama-2-7b", "LM", 75, 14.0, 0.20, {k::cuda}},
    {"dlrm", "Recommendation", 10, 3.0, 0.001, {k::cuda, k::rocm}},
    {"ncf", "Recommendation", 3, 1.0, 0.0005, {k::cuda, k::rocm, k::cpu}},
    {"wav2vec2-base", "A3C", 6, 2.0, 0.0, {k::cuda, k::rocm, k::cpu}},
    {"cyclegan-horse2zebra", "CycleGAN", 5, 3.0, 0.0, {k::cuda, k::rocm}},
}};

const std::array<family_model, 8> newer{{
    {"mamba-2.8b", "LM", 30, 7.0, 0.12, {k::cuda}},
    {"gemma-2b", "LM", 25, 5.0, 0.10, {k::cuda, k::rocm}},
    {"convnext-base", "ResNet-50", 7, 3.0, 0.07, {k::cuda, k::rocm, k::cpu}},
    {"efficientnet-b0", "ResNet-18", 3, 1.0, 0.02, {k::cuda, k::rocm, k::cpu}},
    {"deberta-v3-base", "Transformer", 7, 2.5, 0.04, {k::cuda, k::rocm, k::cpu}},
    {"wide-and-deep", "Recommendation", 4, 1.5, 0.001, {k::cuda, k::rocm, k::cpu}},
    {"ppo-atari", "A3C", 2, 1.0, 0.0, {k::cuda, k::rocm, k::cpu}},
    {"pix2pix-facades", "CycleGAN", 4, 2.5, 0.0, {k::cuda, k::rocm}},
}};

} // namespace

std::span<const device_spec> family_devices() { return devices; }

const device_spec& family_device(std::string_view id_prefix) {
  for (const auto& d : devices)
    if (d.id_prefix == id_prefix) return d;
  throw std::out_of_range("no family device '" + std::string{id_prefix} + "'");
}

double time_vs_v100(std::string_view workload, int batch_size, const device_spec& device) {
  const auto& m = gavel_row(workload, batch_size);
  const auto assumed = assumed_device_ratios(workload);
  double steps = m.v100_steps_per_s;
  if (device.id_prefix == "k80") steps = m.k80_steps_per_s;
  else if (device.id_prefix == "p100") steps = m.p100_steps_per_s;
  else if (device.id_prefix == "t4") steps = m.v100_steps_per_s * t4_vs_v100(workload);
  else if (device.id_prefix == "mi50") steps = m.p100_steps_per_s * assumed.mi50_vs_p100;
  else if (device.id_prefix == "a100") steps = m.v100_steps_per_s * a100_vs_v100(workload);
  else if (device.id_prefix == "mi100") steps = m.v100_steps_per_s * assumed.mi100_vs_v100;
  else if (device.id_prefix == "cpu") steps = m.k80_steps_per_s * assumed.cpu_vs_k80;
  return m.v100_steps_per_s / steps;
}

double v100_steps_per_s(std::string_view workload, int batch_size) {
  return gavel_row(workload, batch_size).v100_steps_per_s;
}

std::vector<int> gavel_batch_sizes(std::string_view workload) {
  std::vector<int> out;
  for (const auto& m : gavel_throughputs())
    if (m.workload == workload) out.push_back(m.batch_size);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string_view> gavel_workloads() {
  std::vector<std::string_view> out;
  for (const auto& m : gavel_throughputs())
    if (std::find(out.begin(), out.end(), m.workload) == out.end()) out.push_back(m.workload);
  std::sort(out.begin(), out.end());
  return out;
}

worker_capability emulated_worker(const device_spec& d, std::size_t number) {
  worker_capability w;
  w.id = std::string{d.id_prefix} + "-" + std::to_string(number);
  w.kind = d.kind;
  w.name = std::string{d.name};
  w.memory_bytes = static_cast<std::uint64_t>(d.memory_gb * bytes_per_gb);
  w.compute_capability = d.compute_capability;
  w.arch = std::string{d.arch};
  w.cores = d.cores;
  w.pus = d.pus;
  w.slots = d.slots;
  w.speed = 1.0;
  w.emulated = true;
  return w;
}

std::vector<worker_capability> build_fleet(std::span<const std::pair<const device_spec*, double>> shares,
                                           std::size_t workers) {
  std::vector<double> weights;
  for (const auto& s : shares) weights.push_back(s.second);
  const auto counts = apportion_workers(weights, workers);
  std::vector<worker_capability> fleet;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const auto& d = *shares[i].first;
    for (std::size_t n = 1; n <= counts[i]; ++n) fleet.push_back(emulated_worker(d, n));
  }
  return fleet;
}

std::span<const family_model> established_models() { return established; }
std::span<const family_model> newer_models() { return newer; }

} // namespace dtf
