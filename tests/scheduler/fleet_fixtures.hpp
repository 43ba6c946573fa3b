#pragma once
// Small builders for workers and tasks used across the scheduler tests.
#include "scheduler/core/scheduler_core.hpp"

#include <map>
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

/// Task id -> worker id of a schedule() call's assignments.
inline std::map<std::string, std::string> placement(const std::vector<assignment>& assignments) {
  std::map<std::string, std::string> out;
  for (const auto& a : assignments) out[a.task_id] = a.worker_id;
  return out;
}

} // namespace dtf::testing
