// Properties of the rules that keep scheduling good when predictions are
// wrong: backups only from a model's own history, timeouts respected where
// possible, scarce workers left to the tasks only they can run.
#include "fleet_fixtures.hpp"
#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <random>
#include <set>

using namespace dtf;
using namespace dtf::testing;

namespace {

const std::vector<std::string> models = {"bert-base-uncased", "t5-small", "resnet50", "openai/whisper-small"};

std::vector<worker_capability> mixed_fleet() {
  std::vector<worker_capability> fleet;
  const int n = *rc::gen::inRange(2, 7);
  for (int i = 0; i < n; ++i) {
    switch (*rc::gen::inRange(0, 3)) {
      case 0: fleet.push_back(cuda_worker("w" + std::to_string(i), "NVIDIA A100", 80, 8.0)); break;
      case 1: fleet.push_back(cuda_worker("w" + std::to_string(i), "Tesla T4", 16, 7.5)); break;
      default: fleet.push_back(cpu_worker("w" + std::to_string(i), "Xeon", 256, 32, 0, 0.2)); break;
    }
    fleet.back().slots = *rc::gen::inRange(1, 3);
  }
  return fleet;
}

task any_device_task(int index) {
  auto t = make_task("t" + std::to_string(index), {device_kind::cuda, device_kind::cpu}, 0.0,
                     *rc::gen::inRange(0, 3), *rc::gen::elementOf(models));
  t.timeout_s = *rc::gen::element(5.0, 30.0, 120.0, 1000.0, 1e6);
  return t;
}

} // namespace

// Whatever happens, a backup starts only beside an attempt whose prediction
// came from history: an overrun default guess never buys a copy.
RC_GTEST_PROP(robust_scheduling, a_backup_never_starts_from_a_default_prediction, ()) {
  const auto fleet = mixed_fleet();
  scheduler_config config;
  config.backup_budget_fraction = *rc::gen::element(0.03, 0.5, 10.0);  // let copies through often
  scheduler_core core(config);
  for (const auto& w : fleet) core.add_worker(w);
  // Sometimes some history, so that backups do start.
  if (*rc::gen::arbitrary<bool>())
    for (const auto& w : core.workers())
      core.learn_from_history(success_of("old", w.id, *rc::gen::element(1.0, 10.0, 100.0), models[0]), w);
  std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
  std::map<std::string, assignment> first;  // running tasks' first attempts
  std::map<std::string, task> submitted;
  double now = 0.0;
  int next = 0;
  for (int round = 0; round < 15; ++round) {
    for (int k = 0; k < 3; ++k, ++next) {
      auto t = any_device_task(next);
      submitted[t.id] = t;
      core.submit(t, now);
    }
    for (const auto& a : core.schedule(now)) {
      if (!a.backup) {
        first[a.task_id] = a;
        continue;
      }
      RC_ASSERT(first.count(a.task_id) == 1u);
      RC_ASSERT(first.at(a.task_id).predicted_from_history);
    }
    // Most running tasks finish near their prediction; a few straggle 50x.
    std::vector<std::string> done;
    for (const auto& [id, a] : first)
      if (rng() % 3 == 0) done.push_back(id);
    for (const auto& id : done) {
      const auto& a = first.at(id);
      task_result r = success_of(id, a.worker_id, a.predicted_duration_s * (rng() % 10 == 0 ? 50.0 : 1.0),
                                 submitted.at(id).model);
      core.record_result(r, now);  // a copy still running is cancelled by the caller: no report
      first.erase(id);
    }
    now += static_cast<double>(rng() % 400);
  }
}

// A task is not placed on a worker predicted to run past its timeout while a
// free feasible worker is predicted to finish in time.
RC_GTEST_PROP(robust_scheduling, a_task_is_not_placed_past_its_timeout_where_another_worker_fits, ()) {
  const auto fleet = mixed_fleet();
  scheduler_core core;
  for (const auto& w : fleet) core.add_worker(w);
  for (const auto& w : core.workers())
    for (const auto& m : models)
      core.learn_from_history(success_of("old", w.id, *rc::gen::element(2.0, 20.0, 200.0, 2000.0), m), w);
  std::vector<std::pair<std::string, std::string>> running;  // task, worker
  double now = 0.0;
  for (int k = 0; k < 30; ++k) {
    const auto t = any_device_task(k);
    // A call first: it learns what running attempts show (lower bounds) at
    // this time, so the predictions below are the ones the next call uses.
    for (const auto& a : core.schedule(now))
      if (!a.backup) running.emplace_back(a.task_id, a.worker_id);
    // Free workers before the call, and whether any of them fits the timeout.
    std::map<std::string, int> busy;
    for (const auto& [task_id, worker_id] : running) ++busy[worker_id];
    bool in_time_free = false;
    for (const auto& w : core.workers())
      if (busy[w.id] < w.slots && core.predictor().predict(t, w).seconds <= t.timeout_s) in_time_free = true;
    core.submit(t, now);
    for (const auto& a : core.schedule(now)) {
      if (a.task_id == t.id && !a.backup && in_time_free) RC_ASSERT(a.predicted_duration_s <= t.timeout_s);
      if (!a.backup) running.emplace_back(a.task_id, a.worker_id);
    }
    if (!running.empty() && *rc::gen::arbitrary<bool>()) {
      const auto [task_id, worker_id] = running.front();
      running.erase(running.begin());
      core.record_result(success_of(task_id, worker_id, 10.0, ""), now);
    }
    now += 5.0;
  }
}

// With workers alike in speed, a task that fits both the large-memory GPUs
// (A) and the small ones (B) never takes an A worker while a task that fits
// only A waits and a B worker is free: after every schedule(), if a task
// that fits only A is pending and a B worker has a free slot, no task that
// fits B was placed on A in that call (slots only fill within a call, and
// pending tasks were pending throughout it).
RC_GTEST_PROP(robust_scheduling, a_task_that_fits_several_classes_leaves_the_scarce_one_to_tasks_that_need_it, ()) {
  std::vector<worker_capability> fleet;
  const int big = *rc::gen::inRange(1, 3), small = *rc::gen::inRange(1, 4);
  for (int i = 0; i < big; ++i) fleet.push_back(cuda_worker("a" + std::to_string(i), "GPU", 80, 8.0));
  for (int i = 0; i < small; ++i) fleet.push_back(cuda_worker("b" + std::to_string(i), "GPU", 16, 8.0));
  for (auto& w : fleet) w.slots = *rc::gen::inRange(1, 3);
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  scheduler_core core(config);
  for (const auto& w : fleet) core.add_worker(w);
  std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
  std::map<std::string, task> submitted;
  std::set<std::string> pending;
  std::map<std::string, int> running_on;          // worker -> running
  std::vector<std::pair<std::string, std::string>> running;  // task, worker
  const auto slots_of = [&](const std::string& id) {
    for (const auto& w : fleet)
      if (w.id == id) return w.slots;
    return 0;
  };
  // Run time depends on the model only, so every worker is predicted alike.
  const auto seconds_of = [](const task& t) { return 10.0 * static_cast<double>(1 + t.model.size() % 4); };
  double now = 0.0;
  int next = 0;
  for (int round = 0; round < 12; ++round) {
    for (int k = *rc::gen::inRange(0, 5); k > 0; --k, ++next) {
      const bool needs_a = *rc::gen::arbitrary<bool>();
      auto t = make_task("t" + std::to_string(next), {device_kind::cuda}, needs_a ? 40.0 : 0.0,
                         *rc::gen::inRange(0, 3), *rc::gen::elementOf(models));
      submitted[t.id] = t;
      pending.insert(t.id);
      core.submit(t, now);
    }
    const auto placed = core.schedule(now);
    for (const auto& a : placed) {
      if (a.backup) continue;
      pending.erase(a.task_id);
      ++running_on[a.worker_id];
      running.emplace_back(a.task_id, a.worker_id);
    }
    bool a_only_waits = false;
    for (const auto& id : pending) a_only_waits = a_only_waits || submitted.at(id).requirements.min_memory_gb > 16.0;
    bool b_free = false;
    for (const auto& w : fleet)
      if (w.id[0] == 'b' && running_on[w.id] < slots_of(w.id)) b_free = true;
    if (a_only_waits && b_free)
      for (const auto& a : placed)
        if (!a.backup && a.worker_id[0] == 'a')
          RC_ASSERT(submitted.at(a.task_id).requirements.min_memory_gb > 16.0);
    // About half the running tasks finish.
    for (auto it = running.begin(); it != running.end();) {
      if (rng() % 2 == 0) {
        ++it;
        continue;
      }
      const auto& t = submitted.at(it->first);
      core.record_result(success_of(t.id, it->second, seconds_of(t), t.model), now);
      --running_on[it->second];
      it = running.erase(it);
    }
    now += 20.0;
  }
}
