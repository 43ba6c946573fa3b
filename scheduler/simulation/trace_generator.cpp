#include "scheduler/simulation/trace_generator.hpp"

#include "scheduler/model/random_source.hpp"
#include "scheduler/simulation/device_throughputs.hpp"
#include "scheduler/simulation/family_fleet.hpp"
#include "scheduler/simulation/fleet_apportion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

namespace dtf {
namespace {

/// A device type of the generated fleet. `key` is how traces name it.
struct device_type : device_spec {
  std::string_view key;
  double fleet_share;
};

// Oldest first: registration order is the schedulers' tie-break.
const device_type k80{{"NVIDIA Tesla K80", "k80", device_kind::cuda, 12, 3.7, "", 13, 1, 2014, 0}, "K80", 0.2};
const device_type p100{{"NVIDIA Tesla P100-PCIE-16GB", "p100", device_kind::cuda, 16, 6.0, "", 56, 1, 2016, 0}, "P100", 0.2};
const device_type v100{{"NVIDIA Tesla V100-SXM2-32GB", "v100", device_kind::cuda, 32, 7.0, "", 80, 1, 2017, 0}, "V100", 0.2};
const device_type mi50{{"AMD Instinct MI50", "mi50", device_kind::rocm, 16, std::nullopt, "gfx906", 60, 1, 2018, 0}, "MI50", 0.1};
const device_type mi100{{"AMD Instinct MI100", "mi100", device_kind::rocm, 32, std::nullopt, "gfx908", 120, 1, 2020, 0}, "MI100", 0.1};
const device_type xeon{{"Intel Xeon Gold 6148", "cpu", device_kind::cpu, 64, std::nullopt, "", 20, 2, 2017, 40}, "cpu", 0.2};

std::vector<const device_type*> device_types(fleet_shape shape) {
  if (shape == fleet_shape::cpu_only) return {&xeon};
  return {&k80, &p100, &v100, &mi50, &mi100, &xeon};
}

/// A model users benchmark, shaped like one Gavel workload.
struct model_spec {
  std::string_view name;
  std::string_view workload;   // Gavel workload whose device ratios it follows
  double load_s;               // cold start: fetch and load the weights
  double base_memory_gb;
  double memory_gb_per_sample;
  std::vector<device_kind> hardware;  // acceptable kinds, most preferred first
  std::optional<double> min_cuda_compute;
};

using k = device_kind;
const std::vector<model_spec>& model_catalog() {
  static const std::vector<model_spec> catalog = {
      {"resnet18", "ResNet-18", 3, 1.5, 0.02, {k::cuda, k::rocm, k::cpu}, {}},
      {"resnet50", "ResNet-50", 5, 2.5, 0.06, {k::cuda, k::rocm, k::cpu}, {}},
      {"resnet101", "ResNet-50", 8, 3.5, 0.09, {k::cuda, k::rocm}, {}},
      {"bert-base-uncased", "Transformer", 6, 2.0, 0.03, {k::cuda, k::rocm, k::cpu}, {}},
      {"distilbert-base-uncased", "Transformer", 4, 1.2, 0.02, {k::cuda, k::rocm, k::cpu}, {}},
      {"roberta-large", "Transformer", 14, 5.0, 0.08, {k::cuda, k::rocm}, {}},
      {"t5-small", "LM", 4, 1.0, 0.05, {k::cuda, k::rocm, k::cpu}, {}},
      {"t5-base", "LM", 9, 2.5, 0.10, {k::cuda, k::rocm}, {}},
      {"t5-large", "LM", 25, 6.0, 0.15, {k::cuda, k::rocm}, {}},
      {"llama-2-7b", "LM", 75, 14.0, 0.20, {k::cuda}, 7.0},
      {"opt-1.3b", "LM", 20, 4.0, 0.10, {k::cuda, k::rocm}, {}},
      {"vit-base-patch16-224", "ResNet-50", 6, 2.0, 0.05, {k::cuda, k::rocm, k::cpu}, {}},
      {"deit-small-patch16-224", "ResNet-18", 3, 1.0, 0.02, {k::cuda, k::rocm, k::cpu}, {}},
      {"vit-large-patch16-224", "CycleGAN", 18, 10.0, 0.0, {k::cuda, k::rocm}, {}},
      {"clip-vit-base-patch32", "ResNet-50", 8, 2.5, 0.05, {k::cuda, k::rocm}, {}},
      {"whisper-small", "Transformer", 8, 2.0, 0.04, {k::cuda, k::rocm, k::cpu}, {}},
      {"whisper-medium", "Transformer", 20, 5.0, 0.07, {k::cuda, k::rocm}, {}},
      {"wav2vec2-base", "A3C", 6, 2.0, 0.0, {k::cuda, k::rocm, k::cpu}, {}},
      {"hubert-base-ls960", "A3C", 6, 2.0, 0.0, {k::cuda, k::rocm, k::cpu}, {}},
      {"dlrm", "Recommendation", 10, 3.0, 0.001, {k::cuda, k::rocm}, {}},
      {"ncf", "Recommendation", 3, 1.0, 0.0005, {k::cuda, k::rocm, k::cpu}, {}},
  };
  return catalog;
}

/// Batch sizes Gavel measured for a workload (ascending; {0} = one variant).
std::vector<int> batch_variants(std::string_view workload) {
  std::vector<int> out;
  for (const auto& m : gavel_throughputs())
    if (m.workload == workload) out.push_back(m.batch_size);
  std::sort(out.begin(), out.end());
  return out;
}

double steps_per_s(std::string_view workload, int batch_size, const device_type& device) {
  for (const auto& m : gavel_throughputs()) {
    if (m.workload != workload || m.batch_size != batch_size) continue;
    const auto r = assumed_device_ratios(workload);
    if (device.key == "K80") return m.k80_steps_per_s;
    if (device.key == "P100") return m.p100_steps_per_s;
    if (device.key == "V100") return m.v100_steps_per_s;
    if (device.key == "MI50") return m.p100_steps_per_s * r.mi50_vs_p100;
    if (device.key == "MI100") return m.v100_steps_per_s * r.mi100_vs_v100;
    return m.k80_steps_per_s * r.cpu_vs_k80;
  }
  return 1.0;
}

bool device_meets(const device_type& d, const task_requirements& r) {
  if (std::find(r.hardware.begin(), r.hardware.end(), d.kind) == r.hardware.end()) return false;
  if (d.memory_gb < r.min_memory_gb) return false;
  if (r.min_cuda_compute && (!d.compute_capability || *d.compute_capability < *r.min_cuda_compute)) return false;
  return true;
}

/// Rounded to 1/per (e.g. per = 1000: milliseconds); dividing keeps decimals short in JSON.
double round_to(double x, double per) { return std::round(x * per) / per; }

std::vector<worker_capability> make_fleet(const generator_options& options) {
  const auto types = device_types(options.fleet);
  // At least one of each type when there is room, so every kind is present.
  std::vector<double> shares;
  for (auto* t : types) shares.push_back(t->fleet_share);
  const auto counts = apportion_workers(shares, options.workers);
  std::vector<worker_capability> fleet;
  for (std::size_t i = 0; i < types.size(); ++i)
    for (std::size_t n = 1; n <= counts[i]; ++n) fleet.push_back(emulated_worker(*types[i], n));
  return fleet;
}

} // namespace

generated_workload generate_workload(const generator_options& options) {
  random_source rng(options.seed);
  generated_workload out;
  out.fleet = make_fleet(options);
  out.tasks.file = "generated";
  const auto types = device_types(options.fleet);
  const auto& catalog = model_catalog();

  // Per model: its typical run time (V100 seconds at its smallest batch;
  // lognormal across models) and its popularity (Zipf over a seeded ranking).
  std::vector<double> typical_s(catalog.size()), weight(catalog.size());
  std::vector<std::size_t> rank(catalog.size());
  for (std::size_t i = 0; i < catalog.size(); ++i) rank[i] = i;
  for (std::size_t i = catalog.size(); i > 1; --i) std::swap(rank[i - 1], rank[rng.index(i)]);
  double weight_sum = 0;
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    typical_s[i] = rng.lognormal(90.0, 0.8);
    weight[i] = 1.0 / static_cast<double>(rank[i] + 1);
    weight_sum += weight[i];
  }

  struct sweep_span { std::size_t first, last; };
  std::vector<sweep_span> sweeps;
  std::vector<double> fastest_s;  // per task, for the online arrival rate
  while (out.tasks.tasks.size() < options.tasks) {
    double pick = rng.uniform() * weight_sum;
    std::size_t m = 0;
    while (m + 1 < catalog.size() && pick >= weight[m]) pick -= weight[m++];
    const auto& model = catalog[m];
    const bool is_test = rng.chance(0.25);
    const auto variants = batch_variants(model.workload);
    // A benchmark sweeps a contiguous range of batch sizes; a test runs the smallest.
    std::size_t first = is_test ? 0 : rng.index(variants.size());
    std::size_t last = is_test ? first : first + rng.index(variants.size() - first);
    double reference_s = is_test ? rng.lognormal(15.0, 0.5) : typical_s[m];
    if (!is_test && rng.chance(0.05)) reference_s *= std::min(rng.pareto(1.0, 1.5), 40.0);  // long runs
    const double steps = reference_s * steps_per_s(model.workload, variants[first], v100);
    const int priority = rng.chance(0.03) ? 2 : rng.chance(0.1) ? 1 : 0;

    task_requirements req;
    if (options.fleet == fleet_shape::cpu_only) {
      req.hardware = {device_kind::cpu};
    } else {
      req.hardware = model.hardware;
      // Tests of CPU-capable models prefer the CPU.
      if (is_test && std::find(req.hardware.begin(), req.hardware.end(), k::cpu) != req.hardware.end()) {
        std::erase(req.hardware, k::cpu);
        req.hardware.insert(req.hardware.begin(), k::cpu);
      }
      req.min_cuda_compute = model.min_cuda_compute;
    }

    const std::size_t sweep_first = out.tasks.tasks.size();
    for (std::size_t v = first; v <= last && out.tasks.tasks.size() < options.tasks; ++v) {
      const int batch = variants[v];
      trace_task t;
      t.spec.id = "t" + std::to_string(out.tasks.tasks.size() + 1);
      t.spec.type = is_test ? task_type::test : task_type::benchmark;
      t.spec.model = std::string{model.name};
      t.spec.batch_size = batch;
      t.spec.priority = priority;
      t.spec.requirements = req;
      t.spec.requirements.min_memory_gb =
          round_to(model.base_memory_gb + model.memory_gb_per_sample * std::max(batch, 1), 2);
      t.spec.sequence = out.tasks.tasks.size();
      t.load_s = round_to(model.load_s * rng.lognormal(1.0, 0.1), 1000);
      const double run_noise = rng.lognormal(1.0, 0.08);
      double fastest = std::numeric_limits<double>::infinity();
      for (auto* d : types) {
        if (!device_meets(*d, t.spec.requirements)) continue;
        const double s = round_to(steps / steps_per_s(model.workload, batch, *d) * run_noise *
                                      rng.lognormal(1.0, 0.03), 1000);
        t.duration_s.emplace_back(std::string{d->key}, std::max(s, 0.001));
        fastest = std::min(fastest, s);
      }
      if (t.duration_s.empty()) continue;  // no device of this fleet can run it
      fastest_s.push_back(fastest);
      out.tasks.tasks.push_back(std::move(t));
    }
    if (out.tasks.tasks.size() > sweep_first) sweeps.push_back({sweep_first, out.tasks.tasks.size()});
  }

  if (options.arrivals == arrival_pattern::online && !sweeps.empty()) {
    // Sweeps arrive as a Poisson process whose rate offers `offered_load` of the
    // fleet's capacity (each task on its fastest device, so real load is higher).
    int slots = 0;
    for (const auto& w : out.fleet) slots += std::max(w.slots, 1);
    double work_s = 0;
    for (double s : fastest_s) work_s += s;
    const double horizon_s = work_s / (std::max(slots, 1) * std::max(options.offered_load, 1e-3));
    const double mean_gap_s = horizon_s / static_cast<double>(sweeps.size());
    double now_s = 0;
    for (const auto& sweep : sweeps) {
      for (std::size_t i = sweep.first; i < sweep.last; ++i) out.tasks.tasks[i].arrival_s = round_to(now_s, 1000);
      now_s += rng.exponential(mean_gap_s);
    }
  }
  return out;
}

void write_fleet_yaml(std::ostream& out, const std::vector<worker_capability>& fleet) {
  auto number = [](double x) {
    std::ostringstream s;
    s.precision(10);
    s << x;
    return s.str();
  };
  out << "# Emulated fleet (dtf fleet format, see docs/formats.md).\nworkers:\n";
  for (const auto& w : fleet) {
    out << "  - {id: " << w.id << ", kind: " << to_string(w.kind) << ", name: \"" << w.name
        << "\", memory_gb: " << number(memory_gb(w));
    if (w.compute_capability) out << ", compute_capability: " << number(*w.compute_capability);
    if (!w.arch.empty()) out << ", arch: " << w.arch;
    out << ", cores: " << w.cores;
    if (!w.labels.empty()) {
      out << ", labels: [";
      for (std::size_t i = 0; i < w.labels.size(); ++i) out << (i ? ", " : "") << w.labels[i];
      out << "]";
    }
    out << ", speed: " << number(w.speed) << ", slots: " << w.slots << "}\n";
  }
}

} // namespace dtf
