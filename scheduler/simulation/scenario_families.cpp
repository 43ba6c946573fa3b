#include "scheduler/simulation/scenario_families.hpp"

#include "scheduler/model/random_source.hpp"
#include "scheduler/simulation/family_fleet.hpp"
#include "scheduler/simulation/philly_runtimes.hpp"
#include "scheduler/simulation/simulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

namespace dtf {
namespace {

constexpr std::array<std::pair<workload_family, std::string_view>, 8> family_table{{
    {workload_family::drift, "drift"},
    {workload_family::family_ratios, "family_ratios"},
    {workload_family::batch_scaling, "batch_scaling"},
    {workload_family::scarce_memory, "scarce_memory"},
    {workload_family::philly, "philly"},
    {workload_family::stragglers, "stragglers"},
    {workload_family::churn, "churn"},
    {workload_family::new_models, "new_models"},
}};

double round_to(double x, double per) { return std::round(x * per) / per; }

/// Seconds on a device per V100 second, for one model at one batch size.
using time_factor = std::function<double(const family_model&, int batch_size, const device_spec&)>;

double gavel_factor(const family_model& m, int batch_size, const device_spec& d) {
  return time_vs_v100(m.workload, batch_size, d);
}

bool device_fits(const device_spec& d, const task_requirements& r) {
  return std::find(r.hardware.begin(), r.hardware.end(), d.kind) != r.hardware.end() && d.memory_gb >= r.min_memory_gb;
}

/// Builds a family's trace: tasks grouped in submissions (a sweep of batch
/// sizes, or one test) that arrive together.
class trace_builder {
public:
  trace_builder(random_source& rng, const std::vector<worker_capability>& fleet) : rng_(rng) {
    for (const auto& d : family_devices())
      for (const auto& w : fleet)
        if (w.name == d.name) {
          devices_.push_back(&d);
          break;
        }
    out_.file = "generated";
  }

  std::size_t size() const { return out_.tasks.size(); }
  std::size_t submissions() const { return submissions_.size(); }
  const std::vector<const device_spec*>& devices() const { return devices_; }

  void begin_submission() { submissions_.push_back({out_.tasks.size(), out_.tasks.size()}); }

  /// One task of `model` at `batch_size`, `reference_s` seconds on a V100;
  /// false when no device of the fleet fits it.
  bool add(const family_model& model, int batch_size, int priority, task_type type, double reference_s,
           const time_factor& factor, std::optional<double> min_memory_gb = std::nullopt) {
    trace_task t;
    t.spec.id = "t" + std::to_string(out_.tasks.size() + 1);
    t.spec.type = type;
    t.spec.model = std::string{model.name};
    t.spec.batch_size = batch_size;
    t.spec.priority = priority;
    t.spec.requirements.hardware = model.hardware;
    t.spec.requirements.min_memory_gb = round_to(
        min_memory_gb.value_or(model.base_memory_gb + model.memory_gb_per_sample * std::max(batch_size, 1)), 100);
    t.spec.sequence = out_.tasks.size();
    t.load_s = round_to(model.load_s * rng_.lognormal(1.0, 0.1), 1000);
    for (const auto* d : devices_) {
      if (!device_fits(*d, t.spec.requirements)) continue;
      const double s = reference_s * factor(model, batch_size, *d) * rng_.lognormal(1.0, 0.03);
      t.duration_s.emplace_back(std::string{d->name}, std::max(round_to(s, 1000), 0.001));
    }
    if (t.duration_s.empty()) return false;
    out_.tasks.push_back(std::move(t));
    submissions_.back().second = out_.tasks.size();
    return true;
  }

  /// Online: submissions arrive as a Poisson process over `window_s`, from
  /// submission `first` on, starting at `start_s`.
  void poisson_arrivals(double window_s, std::size_t first = 0, double start_s = 0.0) {
    const auto count = submissions_.size() - first;
    if (count == 0) return;
    const double mean_gap_s = window_s / static_cast<double>(count);
    double now_s = start_s;
    for (std::size_t s = first; s < submissions_.size(); ++s) {
      set_arrival(s, now_s);
      now_s += rng_.exponential(mean_gap_s);
    }
  }
  void set_arrival(std::size_t submission, double at_s) {
    for (std::size_t i = submissions_[submission].first; i < submissions_[submission].second; ++i)
      out_.tasks[i].arrival_s = round_to(at_s, 1000);
  }

  trace take() { return std::move(out_); }
  const trace& current() const { return out_; }

private:
  random_source& rng_;
  std::vector<const device_spec*> devices_;
  trace out_;
  std::vector<std::pair<std::size_t, std::size_t>> submissions_;  // task ranges
};

/// A model drawn by Zipf popularity over a seeded ranking.
class model_picker {
public:
  model_picker(random_source& rng, std::vector<const family_model*> models) : models_(std::move(models)) {
    std::vector<std::size_t> rank(models_.size());
    for (std::size_t i = 0; i < rank.size(); ++i) rank[i] = i;
    for (std::size_t i = rank.size(); i > 1; --i) std::swap(rank[i - 1], rank[rng.index(i)]);
    for (std::size_t i = 0; i < models_.size(); ++i) {
      weight_.push_back(1.0 / static_cast<double>(rank[i] + 1));
      typical_s_.push_back(rng.lognormal(120.0, 0.8));
    }
  }
  std::size_t pick(random_source& rng) const {
    double sum = 0;
    for (double w : weight_) sum += w;
    double x = rng.uniform() * sum;
    std::size_t m = 0;
    while (m + 1 < models_.size() && x >= weight_[m]) x -= weight_[m++];
    return m;
  }
  const family_model& model(std::size_t m) const { return *models_[m]; }
  /// The model's typical V100 seconds at its smallest batch.
  double typical_s(std::size_t m) const { return typical_s_[m]; }
  std::size_t size() const { return models_.size(); }

private:
  std::vector<const family_model*> models_;
  std::vector<double> weight_, typical_s_;
};

std::vector<const family_model*> pointers(std::span<const family_model> models) {
  std::vector<const family_model*> out;
  for (const auto& m : models) out.push_back(&m);
  return out;
}

int draw_priority(random_source& rng) { return rng.chance(0.03) ? 2 : rng.chance(0.1) ? 1 : 0; }

/// One submission of the usual kind: a test (25 %, smallest batch) or a sweep
/// of contiguous Gavel batch sizes; `scale` multiplies its run times.
void add_usual_submission(trace_builder& b, random_source& rng, const model_picker& models, std::size_t m,
                          double scale, const time_factor& factor, std::size_t max_tasks) {
  const auto& model = models.model(m);
  const bool is_test = rng.chance(0.25);
  const auto variants = gavel_batch_sizes(model.workload);
  const std::size_t first = is_test ? 0 : rng.index(variants.size());
  const std::size_t last = is_test ? first : first + rng.index(variants.size() - first);
  double reference_s = is_test ? rng.lognormal(20.0, 0.5) : models.typical_s(m);
  if (!is_test && rng.chance(0.05)) reference_s *= std::min(rng.pareto(1.0, 1.5), 40.0);  // long runs
  const int priority = draw_priority(rng);
  b.begin_submission();
  for (std::size_t v = first; v <= last && b.size() < max_tasks; ++v) {
    // The same number of steps at a larger batch: Gavel's step rates give the growth.
    const double growth = v100_steps_per_s(model.workload, variants[first]) / v100_steps_per_s(model.workload, variants[v]);
    b.add(model, variants[v], priority, is_test ? task_type::test : task_type::benchmark, reference_s * scale * growth,
          factor);
  }
}

} // namespace

namespace {

using share_list = std::vector<std::pair<const device_spec*, double>>;

/// Every device kind: old and new CUDA GPUs, ROCm GPUs and CPUs.
share_list mixed_shares() {
  return {{&family_device("k80"), 0.10}, {&family_device("p100"), 0.15}, {&family_device("v100"), 0.15},
          {&family_device("t4"), 0.15},  {&family_device("mi50"), 0.10}, {&family_device("a100"), 0.10},
          {&family_device("mi100"), 0.10}, {&family_device("cpu"), 0.15}};
}

/// The least time the fleet needs for all of the trace's tasks at once: the
/// lower bound (with the LP), or only work over slots.
double capacity_time_s(const trace& t, const std::vector<worker_capability>& fleet, bool with_lp) {
  lower_bound_options o;
  o.use_lp = with_lp;
  const auto bound = compute_lower_bound(make_lower_bound_instance(t, fleet, scheduler_config{}), o);
  return with_lp ? bound.value_s : bound.work_over_slots_s;
}

struct family_context {
  const family_options& options;
  random_source& rng;
  std::size_t workers;
  family_workload& out;
};

/// Usual submissions of the picker's models until the trace has `tasks`.
void fill_usual(family_context& c, trace_builder& b, const model_picker& models, const time_factor& factor,
                const std::function<double(std::size_t model)>& scale = {}) {
  while (b.size() < c.options.tasks) {
    const auto m = models.pick(c.rng);
    add_usual_submission(b, c.rng, models, m, scale ? scale(m) : 1.0, factor, c.options.tasks);
  }
}

/// Online: arrivals over capacity / load; returns the time the run spans
/// (capacity for a batch, the arrival window online).
double place_arrivals(family_context& c, trace_builder& b, bool with_lp = true) {
  const double capacity_s = capacity_time_s(b.current(), c.out.fleet, with_lp);
  if (c.options.arrivals == arrival_pattern::batch) return capacity_s;
  const double window_s = capacity_s / c.options.offered_load;
  b.poisson_arrivals(window_s);
  return window_s;
}

void generate_drift(family_context& c) {
  c.out.fleet = build_fleet(mixed_shares(), c.workers);
  trace_builder b(c.rng, c.out.fleet);
  const model_picker models(c.rng, pointers(established_models()));
  // Per model, log run-time level as an AR(1) over its submissions: stationary
  // sigma 1.3, correlation 0.8 with the previous submission (recent runs tell more).
  constexpr double sigma = 1.3, rho = 0.8;
  std::vector<std::optional<double>> level(models.size());
  fill_usual(c, b, models, gavel_factor, [&](std::size_t m) {
    const double innovation = c.rng.normal();
    level[m] = level[m] ? rho * *level[m] + std::sqrt(1 - rho * rho) * sigma * innovation : sigma * innovation;
    return std::exp(*level[m]);
  });
  place_arrivals(c, b);
  c.out.tasks = b.take();
}

void generate_family_ratios(family_context& c) {
  c.out.fleet = build_fleet(mixed_shares(), c.workers);
  trace_builder b(c.rng, c.out.fleet);
  const model_picker models(c.rng, pointers(established_models()));
  // Devices Gavel did not measure get seeded ratios per workload (around the
  // assumed ones, sigma 0.6 in log space); in one workload the A100 is slower
  // than the best other device.
  const auto workloads = gavel_workloads();
  std::map<std::pair<std::string_view, std::string_view>, double> spread;
  for (auto w : workloads)
    for (const auto& d : family_devices())
      if (d.id_prefix != "k80" && d.id_prefix != "p100" && d.id_prefix != "v100")
        spread[{w, d.id_prefix}] = c.rng.lognormal(1.0, 0.6);
  const auto slow_a100_workload = workloads[c.rng.index(workloads.size())];
  const auto devices = b.devices();
  auto ratio = [&](std::string_view workload, int batch, const device_spec& d) {
    auto it = spread.find({workload, d.id_prefix});
    return time_vs_v100(workload, batch, d) * (it == spread.end() ? 1.0 : it->second);
  };
  const time_factor factor = [&, devices](const family_model& m, int batch, const device_spec& d) {
    if (m.workload != slow_a100_workload || d.id_prefix != "a100") return ratio(m.workload, batch, d);
    double best = std::numeric_limits<double>::infinity();
    for (const auto* other : devices)
      if (other->id_prefix != "a100" && other->kind != device_kind::cpu) best = std::min(best, ratio(m.workload, batch, *other));
    return 1.3 * best;
  };
  fill_usual(c, b, models, factor);
  place_arrivals(c, b);
  c.out.tasks = b.take();
}

void generate_batch_scaling(family_context& c) {
  c.out.fleet = build_fleet(mixed_shares(), c.workers);
  trace_builder b(c.rng, c.out.fleet);
  const model_picker models(c.rng, pointers(established_models()));
  // Per device: run time flat up to batch 4, then ~ batch^k with its own k.
  std::map<std::string_view, double> exponent;
  for (const auto* d : b.devices()) exponent[d->id_prefix] = c.rng.uniform(0.5, 0.9);
  const time_factor factor = [&](const family_model& m, int batch, const device_spec& d) {
    const double x = std::max(batch, 1) / 4.0;
    return time_vs_v100(m.workload, 0, d) * std::pow(x, x <= 1.0 ? 0.03 : exponent.at(d.id_prefix));
  };
  constexpr std::array<int, 9> batches{1, 2, 4, 8, 16, 32, 64, 128, 256};
  while (b.size() < c.options.tasks) {
    const auto m = models.pick(c.rng);
    const bool is_test = c.rng.chance(0.25);
    const std::size_t first = is_test ? 0 : c.rng.index(batches.size());
    const std::size_t last = is_test ? first : first + c.rng.index(batches.size() - first);
    const double reference_s = is_test ? c.rng.lognormal(20.0, 0.5) : models.typical_s(m);
    const int priority = draw_priority(c.rng);
    b.begin_submission();
    for (std::size_t v = first; v <= last && b.size() < c.options.tasks; ++v)
      b.add(models.model(m), batches[v], priority, is_test ? task_type::test : task_type::benchmark, reference_s,
            factor);
  }
  place_arrivals(c, b);
  c.out.tasks = b.take();
}

void generate_scarce_memory(family_context& c) {
  c.out.fleet = build_fleet(share_list{{&family_device("k80"), 0.12}, {&family_device("p100"), 0.15},
                                       {&family_device("v100"), 0.17}, {&family_device("t4"), 0.15},
                                       {&family_device("mi50"), 0.10}, {&family_device("a100"), 0.08},
                                       {&family_device("mi100"), 0.10}, {&family_device("cpu"), 0.13}},
                            c.workers);
  trace_builder b(c.rng, c.out.fleet);
  // Models that fit every device kind (at their smallest batch: at most 12 GB).
  std::vector<const family_model*> anywhere;
  for (const auto& m : established_models())
    if (m.hardware.size() == 3) anywhere.push_back(&m);
  const model_picker small(c.rng, anywhere);
  static const std::array<family_model, 2> large{{
      {"llama-2-13b", "LM", 120, 40.0, 0.3, {device_kind::cuda}},
      {"vit-huge-patch14-224", "ResNet-50", 40, 40.0, 0.2, {device_kind::cuda}},
  }};
  while (b.size() < c.options.tasks) {
    b.begin_submission();
    if (c.rng.chance(0.15)) {
      // Low priority, long, and only the large-memory GPUs fit it.
      const auto& m = large[c.rng.index(large.size())];
      b.add(m, gavel_batch_sizes(m.workload).front(), 0, task_type::benchmark, c.rng.lognormal(1500.0, 0.4),
            gavel_factor, round_to(c.rng.uniform(45.0, 70.0), 10));
    } else {
      const auto m = small.pick(c.rng);
      const int priority = c.rng.chance(0.15) ? 2 : c.rng.chance(0.5) ? 1 : 0;
      b.add(small.model(m), gavel_batch_sizes(small.model(m).workload).front(), priority, task_type::benchmark,
            small.typical_s(m) * c.rng.lognormal(1.0, 0.3), gavel_factor);
    }
  }
  place_arrivals(c, b);
  c.out.tasks = b.take();
}

void generate_philly(family_context& c) {
  c.out.fleet = build_fleet(share_list{{&family_device("k80"), 0.15}, {&family_device("p100"), 0.20},
                                       {&family_device("v100"), 0.25}, {&family_device("t4"), 0.10},
                                       {&family_device("a100"), 0.15}, {&family_device("mi100"), 0.10},
                                       {&family_device("cpu"), 0.05}},
                            c.workers);
  trace_builder b(c.rng, c.out.fleet);
  const model_picker models(c.rng, pointers(established_models()));
  while (b.size() < c.options.tasks) {
    auto model = models.model(models.pick(c.rng));
    // GPU jobs; a tenth may also run on CPUs.
    if (!c.rng.chance(0.1)) std::erase(model.hardware, device_kind::cpu);
    b.begin_submission();
    b.add(model, gavel_batch_sizes(model.workload).front(), draw_priority(c.rng), task_type::benchmark,
          sample_philly_runtime_s(c.rng), gavel_factor);
  }
  // Months-long jobs would make the LP's longest-task constraint the rate:
  // load is offered against work over slots.
  const double span_s = place_arrivals(c, b, false);
  c.out.tasks = b.take();
  // Observation ends while the longest jobs still run (censored), whatever the policy.
  double last_possible_s = 0;
  for (const auto& t : c.out.tasks.tasks) {
    double fastest = std::numeric_limits<double>::infinity();
    for (const auto& d : t.duration_s) fastest = std::min(fastest, d.second);
    last_possible_s = std::max(last_possible_s, t.arrival_s + fastest);
  }
  c.out.horizon_s = round_to(std::min(1.25 * span_s, 0.8 * last_possible_s), 1000);
}

/// The mixed fleet and usual submissions of the established models, arrivals
/// placed; returns the span of the run (place_arrivals).
double usual_workload(family_context& c) {
  c.out.fleet = build_fleet(mixed_shares(), c.workers);
  trace_builder b(c.rng, c.out.fleet);
  const model_picker models(c.rng, pointers(established_models()));
  fill_usual(c, b, models, gavel_factor);
  const double span_s = place_arrivals(c, b);
  c.out.tasks = b.take();
  return span_s;
}

void generate_stragglers(family_context& c) {
  const double span_s = usual_workload(c);
  // 15 % of the workers (at least one) throttle 3-10x once or twice, each
  // time for 10-30 % of the run's span.
  const auto slowed = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(0.15 * static_cast<double>(c.workers))));
  std::vector<std::size_t> order(c.out.fleet.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[c.rng.index(i)]);
  for (std::size_t n = 0; n < std::min(slowed, order.size()); ++n) {
    double from_s = c.rng.uniform(0.0, 0.6) * span_s;
    const int windows = c.rng.chance(0.5) ? 2 : 1;
    for (int w = 0; w < windows; ++w) {
      const double length_s = c.rng.uniform(0.1, 0.3) * span_s;
      c.out.dynamics.slowdowns.push_back({c.out.fleet[order[n]].id, round_to(from_s, 1000),
                                          round_to(from_s + length_s, 1000), round_to(c.rng.uniform(3.0, 10.0), 100)});
      from_s += length_s + c.rng.uniform(0.05, 0.2) * span_s;
    }
  }
}

void generate_churn(family_context& c) {
  const double span_s = usual_workload(c);
  // The first worker of each device kind stays throughout (every task keeps a
  // worker); of the others a quarter join late, a quarter leave early.
  std::map<std::string, std::size_t> seen;
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < c.out.fleet.size(); ++i)
    if (seen[c.out.fleet[i].name]++ > 0) eligible.push_back(i);
  bool joined = false, left = false;
  for (auto i : eligible) {
    const double x = c.rng.uniform();
    if (x < 0.25) {
      c.out.dynamics.presence.push_back({c.out.fleet[i].id, round_to(c.rng.uniform(0.1, 0.5) * span_s, 1000)});
      joined = true;
    } else if (x < 0.5) {
      c.out.dynamics.presence.push_back(
          {c.out.fleet[i].id, 0.0, round_to(c.rng.uniform(0.2, 0.8) * span_s, 1000)});
      left = true;
    }
  }
  // At least one of each when the fleet has room.
  if (eligible.size() >= 2 && (!joined || !left)) {
    c.out.dynamics.presence.clear();
    c.out.dynamics.presence.push_back({c.out.fleet[eligible[0]].id, round_to(0.3 * span_s, 1000)});
    c.out.dynamics.presence.push_back({c.out.fleet[eligible[1]].id, 0.0, round_to(0.5 * span_s, 1000)});
  }
}

void generate_new_models(family_context& c) {
  c.out.fleet = build_fleet(mixed_shares(), c.workers);
  trace_builder b(c.rng, c.out.fleet);
  const model_picker known(c.rng, pointers(established_models()));
  const model_picker fresh(c.rng, pointers(newer_models()));
  // The first half of the tasks uses established models only; then half the
  // submissions are of models never seen before.
  while (b.size() < c.options.tasks / 2) {
    const auto m = known.pick(c.rng);
    add_usual_submission(b, c.rng, known, m, 1.0, gavel_factor, c.options.tasks);
  }
  const std::size_t second_half = b.submissions();
  while (b.size() < c.options.tasks) {
    const bool is_new = c.rng.chance(0.5);
    const auto& models = is_new ? fresh : known;
    add_usual_submission(b, c.rng, models, models.pick(c.rng), 1.0, gavel_factor, c.options.tasks);
  }
  const double span_s = place_arrivals(c, b);
  // A batch comes in two waves, the second (with the new models) halfway.
  if (c.options.arrivals == arrival_pattern::batch)
    for (std::size_t s = second_half; s < b.submissions(); ++s) b.set_arrival(s, span_s / 2);
  c.out.tasks = b.take();
}

} // namespace

std::vector<workload_family> all_workload_families() {
  std::vector<workload_family> out;
  for (const auto& [f, name] : family_table) out.push_back(f);
  return out;
}

std::string_view to_string(workload_family f) {
  for (const auto& [family, name] : family_table)
    if (family == f) return name;
  return "unknown";
}

std::optional<workload_family> parse_workload_family(std::string_view name) {
  for (const auto& [family, text] : family_table)
    if (text == name) return family;
  return std::nullopt;
}

family_workload generate_family(const family_options& options) {
  if (options.tasks == 0) throw std::invalid_argument("a scenario family needs at least one task");
  if (!(options.offered_load > 0.0 && options.offered_load <= 1.5))
    throw std::invalid_argument("offered load must be in (0, 1.5]");
  // Each family its own stream: the same seed gives unrelated workloads.
  const auto salt = static_cast<std::uint64_t>(options.family) + 1;
  random_source rng(options.seed ^ (0x9E3779B97F4A7C15ull * salt));
  family_workload out;
  family_context c{options, rng, options.workers ? options.workers : std::max<std::size_t>(12, options.tasks / 25), out};
  switch (options.family) {
    case workload_family::drift: generate_drift(c); break;
    case workload_family::family_ratios: generate_family_ratios(c); break;
    case workload_family::batch_scaling: generate_batch_scaling(c); break;
    case workload_family::scarce_memory: generate_scarce_memory(c); break;
    case workload_family::philly: generate_philly(c); break;
    case workload_family::stragglers: generate_stragglers(c); break;
    case workload_family::churn: generate_churn(c); break;
    case workload_family::new_models: generate_new_models(c); break;
  }
  return out;
}

} // namespace dtf
