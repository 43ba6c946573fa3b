// The emulated execution model (documented in command_runner.hpp) and the
// wait that stands in for running a task on a device that is not here.
#include "actors/execution/command_runner.hpp"
#include "scheduler/input/input_limits.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <string_view>

namespace dtf {
namespace {

double type_base_s(task_type type) {
  switch (type) {
    case task_type::benchmark: return 30.0;
    case task_type::test: return 10.0;
    case task_type::custom: return 20.0;
  }
  return 20.0;
}

struct family_cost {
  std::string_view name_part;
  double factor;
};

// Checked in order, so "llava" is found before a shorter name it contains.
constexpr std::array<family_cost, 13> family_costs{{
    {"llava", 8.0}, {"llama", 8.0}, {"opt", 8.0}, {"t5", 3.0}, {"whisper", 3.0}, {"clip", 2.5},
    {"blip", 2.5}, {"deit", 2.0}, {"vit", 2.0}, {"wav2vec2", 2.0}, {"hubert", 2.0}, {"roberta", 1.0},
    {"bert", 1.0},
}};
constexpr double unknown_family_factor = 1.5;

double family_factor(const std::string& model) {
  std::string lower = model;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& family : family_costs)
    if (lower.find(family.name_part) != std::string::npos) return family.factor;
  return unknown_family_factor;
}

double batch_factor(int batch_size) { return batch_size > 0 ? std::sqrt(batch_size / 8.0) : 1.0; }

double kind_factor(device_kind kind) { return kind == device_kind::cpu ? 5.0 : 1.0; }

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

double emulated_duration_s(const task& t, const worker_capability& worker, bool model_warm) {
  double speed = std::isfinite(worker.speed) && worker.speed > 0 ? worker.speed : 1.0;
  double family = t.model.empty() ? unknown_family_factor : family_factor(t.model);
  double compute_s = type_base_s(t.type) * family * batch_factor(t.batch_size) * kind_factor(worker.kind) / speed;
  double load_s = model_warm || t.model.empty() ? 0.0 : 2.0 * family;
  return compute_s + load_s;
}

emulated_run_plan plan_emulated_run(const task& t, const worker_capability& worker, bool model_warm,
                                    double time_scale) {
  if (!std::isfinite(time_scale) || time_scale < 0) time_scale = 1.0;
  emulated_run_plan plan;
  // Bounded like any run time dtf reads back (results, journal); the wait
  // becomes a 64-bit nanosecond timer, which wraps past about 9e9 s.
  plan.modeled_s = std::min(emulated_duration_s(t, worker, model_warm), max_run_seconds);
  plan.times_out = t.timeout_s > 0 && std::isfinite(t.timeout_s) && plan.modeled_s > t.timeout_s;
  plan.wall_wait_s = std::min((plan.times_out ? t.timeout_s : plan.modeled_s) * time_scale, max_run_seconds);
  plan.time_scale = time_scale;
  return plan;
}

attempt_record emulated_outcome(const run_request& request, const emulated_run_plan& plan, double start_unix_s,
                                double waited_s, bool cancelled) {
  auto outcome = attempt_record_for(request.t, request.worker, request.attempt);
  outcome.start_unix_s = start_unix_s;
  outcome.duration_s = std::isfinite(waited_s) ? std::max(0.0, waited_s) : 0.0;
  outcome.end_unix_s = outcome.start_unix_s + outcome.duration_s;
  outcome.metrics["emulated_duration_s"] = plan.modeled_s;
  if (cancelled) {
    outcome.status = task_status::cancelled;
    outcome.error = "cancelled";
    outcome.modeled_s = plan.time_scale > 0 ? outcome.duration_s / plan.time_scale : 0.0;
  } else if (plan.times_out) {
    outcome.modeled_s = request.t.timeout_s;
    outcome.status = task_status::timed_out;
    outcome.error = "timed out: the emulated duration exceeds the task's timeout";
  } else {
    outcome.modeled_s = plan.modeled_s;
    outcome.status = task_status::succeeded;
    outcome.exit_code = 0;
  }
  return outcome;
}

attempt_record run_emulated(const run_request& request, const cancel_token& token, bool model_warm, double time_scale) {
  auto start_unix_s = unix_now_s();
  auto start = std::chrono::steady_clock::now();
  auto plan = plan_emulated_run(request.t, request.worker, model_warm, time_scale);
  bool cancelled = token.wait_for(plan.wall_wait_s);
  double waited_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return emulated_outcome(request, plan, start_unix_s, waited_s, cancelled);
}

} // namespace dtf
