#pragma once
// Small builders for workers and tasks used across the scheduler tests.
#include "scheduler/core/scheduler_core.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dtf::testing {

inline worker_capability cuda_worker(std::string id, std::string name, double memory_gb_, double cc, int cores = 68,
                                     int slots = 0, double speed = 1.0) {
  worker_capability w;
  w.id = std::move(id);
  w.kind = device_kind::cuda;
  w.name = std::move(name);
  w.memory_bytes = static_cast<std::uint64_t>(memory_gb_ * bytes_per_gb);
  w.compute_capability = cc;
  w.cores = cores;
  w.slots = slots;
  w.speed = speed;
  return w;
}

inline worker_capability rocm_worker(std::string id, std::string name, double memory_gb_, std::string arch,
                                     int cores = 120, int slots = 0, double speed = 1.0) {
  worker_capability w;
  w.id = std::move(id);
  w.kind = device_kind::rocm;
  w.name = std::move(name);
  w.memory_bytes = static_cast<std::uint64_t>(memory_gb_ * bytes_per_gb);
  w.arch = std::move(arch);
  w.cores = cores;
  w.slots = slots;
  w.speed = speed;
  return w;
}

inline worker_capability cpu_worker(std::string id, std::string name, double memory_gb_, int cores, int slots = 0,
                                    double speed = 1.0) {
  worker_capability w;
  w.id = std::move(id);
  w.kind = device_kind::cpu;
  w.name = std::move(name);
  w.memory_bytes = static_cast<std::uint64_t>(memory_gb_ * bytes_per_gb);
  w.cores = cores;
  w.slots = slots;
  w.speed = speed;
  return w;
}

inline task make_task(std::string id, std::vector<device_kind> hardware = {}, double min_memory_gb = 0.0,
                      int priority = 0, std::string model = "") {
  task t;
  t.id = std::move(id);
  t.type = task_type::benchmark;
  t.requirements.hardware = std::move(hardware);
  t.requirements.min_memory_gb = min_memory_gb;
  t.priority = priority;
  t.model = std::move(model);
  return t;
}

inline task_result success_of(const std::string& task_id, const std::string& worker_id, double duration_s,
                              std::string model = "", int batch = 0) {
  task_result r;
  r.task_id = task_id;
  r.worker_id = worker_id;
  r.status = task_status::succeeded;
  r.duration_s = duration_s;
  r.model = std::move(model);
  r.type = task_type::benchmark;
  r.batch_size = batch;
  return r;
}

/// w as an emulated worker whose node runs at `time_scale` wall s per modeled s.
inline worker_capability emulated(worker_capability w, double time_scale) {
  w.emulated = true;
  w.time_scale = time_scale;
  return w;
}

/// A core with one A100 ("a100") and one T4 ("t4"), one task at a time each, that
/// learned each (model, a100 seconds, t4 seconds) from one past run per worker;
/// both emulated at `time_scale` when given (the seconds are then modeled).
struct learned_run {
  std::string model;
  double a100_s = 0.0;
  double t4_s = 0.0;
};
inline scheduler_core one_a100_one_t4(const std::vector<learned_run>& history,
                                      std::optional<double> time_scale = std::nullopt) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  scheduler_core core(config);
  auto a100 = cuda_worker("a100", "NVIDIA A100-SXM4-80GB", 80, 8.0);
  auto t4 = cuda_worker("t4", "Tesla T4", 16, 7.5);
  core.add_worker(time_scale ? emulated(a100, *time_scale) : a100);
  core.add_worker(time_scale ? emulated(t4, *time_scale) : t4);
  for (const auto& w : core.workers())
    for (const auto& run : history)
      core.learn_from_history(success_of("old-" + run.model, w.id, w.id == "a100" ? run.a100_s : run.t4_s, run.model), w);
  return core;
}

/// Task id -> worker id of a schedule() call's assignments.
inline std::map<std::string, std::string> placement(const std::vector<assignment>& assignments) {
  std::map<std::string, std::string> out;
  for (const auto& a : assignments) out[a.task_id] = a.worker_id;
  return out;
}

} // namespace dtf::testing
