// Properties of the scheduling core over random fleets, task sets and results.
#include "fleet_fixtures.hpp"
#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/output/stats_json.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/terms/weighted_score.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

using namespace dtf;

namespace {

const std::vector<std::string> models = {"bert-base-uncased", "distilbert-base-uncased", "t5-small",
                                         "facebook/opt-1.3b", "resnet50", "openai/whisper-small", ""};

worker_capability random_worker(int index) {
  worker_capability w;
  w.id = "w" + std::to_string(index);
  w.kind = *rc::gen::element(device_kind::cpu, device_kind::cuda, device_kind::rocm);
  w.memory_bytes = static_cast<std::uint64_t>(*rc::gen::element(4.0, 10.0, 16.0, 40.0, 64.0) * bytes_per_gb);
  w.cores = *rc::gen::element(4, 16, 32, 68, 108);
  w.slots = *rc::gen::inRange(0, 4);  // 0: the config default
  w.speed = *rc::gen::element(0.5, 1.0, 2.0, 4.0);
  switch (w.kind) {
    case device_kind::cuda:
      w.name = *rc::gen::element<std::string>("NVIDIA A100", "RTX 3080", "Tesla T4");
      w.compute_capability = *rc::gen::element(7.0, 7.5, 8.0, 8.6);
      break;
    case device_kind::rocm:
      w.name = "AMD Instinct MI100";
      w.arch = *rc::gen::element<std::string>("gfx906", "gfx908");
      break;
    case device_kind::cpu: w.name = "Xeon"; break;
  }
  if (*rc::gen::inRange(0, 3) == 0) w.labels = {"nvlink"};
  return w;
}

task random_task(int index) {
  task t;
  t.id = "t" + std::to_string(index);
  t.type = *rc::gen::element(task_type::benchmark, task_type::test, task_type::custom);
  t.priority = *rc::gen::inRange(0, 4);
  t.model = *rc::gen::elementOf(models);
  t.batch_size = *rc::gen::element(0, 1, 8, 32);
  auto& r = t.requirements;
  switch (*rc::gen::inRange(0, 5)) {
    case 0: break;  // cpu only
    case 1: r.hardware = {device_kind::cuda}; break;
    case 2: r.hardware = {device_kind::cuda, device_kind::rocm}; break;
    case 3: r.hardware = {device_kind::rocm, device_kind::cpu}; break;
    default: r.hardware = {device_kind::cpu, device_kind::cuda, device_kind::rocm}; break;
  }
  r.min_memory_gb = *rc::gen::element(0.0, 8.0, 16.0, 48.0);
  if (*rc::gen::inRange(0, 4) == 0) r.min_cuda_compute = *rc::gen::element(7.5, 8.0);
  if (*rc::gen::inRange(0, 6) == 0) r.gfx_arch = {"gfx908"};
  if (*rc::gen::inRange(0, 8) == 0) r.require_device = {"a100"};
  if (*rc::gen::inRange(0, 8) == 0) r.labels = {"nvlink"};
  if (*rc::gen::inRange(0, 6) == 0) r.min_cores = 32;
  if (*rc::gen::inRange(0, 4) == 0) r.device = "T4";
  return t;
}

double wild_duration(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return -static_cast<double>(rng() % 100);
    case 2: return std::numeric_limits<double>::infinity();
    case 3: return 1e300;
    case 4: return 0.0;
    default: return 1.0 + static_cast<double>(rng() % 1000) / 10.0;
  }
}

struct scenario {
  std::vector<worker_capability> workers;
  std::vector<task> tasks;
  std::uint64_t seed = 0;
};

scenario random_scenario() {
  scenario s;
  const int worker_count = *rc::gen::inRange(1, 9);
  for (int i = 0; i < worker_count; ++i) s.workers.push_back(random_worker(i));
  const int task_count = *rc::gen::inRange(0, 40);
  for (int i = 0; i < task_count; ++i) s.tasks.push_back(random_task(i));
  s.seed = *rc::gen::arbitrary<std::uint64_t>();
  return s;
}

// The scenario with every worker a copy of its first (ids w0, w1, ...).
scenario identical_workers(scenario s) {
  const auto model = s.workers.front();
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    s.workers[i] = model;
    s.workers[i].id = "w" + std::to_string(i);
  }
  return s;
}

int effective_slots(const scheduler_config& config, const worker_capability& w) {
  return w.slots > 0 ? w.slots : config.max_tasks_per_worker;
}

// What the test knows from outside the core after each schedule() call.
struct observed {
  std::map<std::string, task> submitted;
  std::set<std::string> pending;             // submitted, never placed
  // The queue estimate: the predictor's worker-independent seconds at
  // submission -- for a task queued on a guess, from its model's history once
  // a run of the model succeeded (scheduler_config::refine_guessed_estimates).
  std::map<std::string, double> estimate;
  std::set<std::string> guessed;             // pending, queued on a guess
  std::map<std::string, std::vector<std::string>> placed;  // running now: task -> its attempts' workers
  std::map<std::string, int> running;        // worker -> running tasks
  std::vector<assignment> assignments;       // of this call
  double now = 0.0;
};

// Drives a core through submit / schedule / record_result rounds and calls
// `check(core, observed)` after every schedule(). Returns every call's assignments.
template <typename Check>
std::vector<std::vector<assignment>> drive(const scenario& s, const scheduler_config& config, Check&& check) {
  scheduler_core core(config);
  for (const auto& w : s.workers) core.add_worker(w);
  std::mt19937_64 rng(s.seed);
  std::size_t next = 0;
  observed o;
  std::vector<std::vector<assignment>> log;
  for (int round = 0; round < 12; ++round) {
    for (int k = 0; k < 5 && next < s.tasks.size(); ++k, ++next) {  // a few arrivals per round
      o.submitted[s.tasks[next].id] = s.tasks[next];
      o.pending.insert(s.tasks[next].id);
      const auto estimate = core.predictor().predict(s.tasks[next]);
      o.estimate[s.tasks[next].id] = estimate.seconds;
      if (!from_model_history(estimate.level)) o.guessed.insert(s.tasks[next].id);
      core.submit(s.tasks[next], o.now);
    }
    o.assignments = core.schedule(o.now);
    for (const auto& a : o.assignments) {
      o.pending.erase(a.task_id);
      o.guessed.erase(a.task_id);
      auto& attempts = o.placed[a.task_id];
      RC_ASSERT(attempts.size() == (a.backup ? 1u : 0u));  // a backup only beside one running attempt
      if (a.backup) RC_ASSERT(attempts.front() != a.worker_id);
      attempts.push_back(a.worker_id);
      ++o.running[a.worker_id];
    }
    check(core, o);
    log.push_back(o.assignments);
    // Results for about half the running tasks, with arbitrary durations and statuses.
    std::vector<std::string> done;
    for (const auto& [t, w] : o.placed)
      if (rng() % 2 == 0) done.push_back(t);
    for (const auto& id : done) {
      const auto& t = o.submitted[id];
      auto& attempts = o.placed[id];
      const std::size_t reporting = rng() % attempts.size();
      task_result r;
      r.task_id = id;
      r.worker_id = attempts[reporting];
      r.status = rng() % 4 == 0 ? task_status::failed : task_status::succeeded;
      r.duration_s = wild_duration(rng);
      r.model = t.model;
      r.type = t.type;
      r.batch_size = t.batch_size;
      if (rng() % 3 == 0) r.metrics["throughput"] = wild_duration(rng);
      const auto effect = core.record_result(r, o.now);
      if (r.status == task_status::succeeded && std::isfinite(r.duration_s) && r.duration_s >= 0.0 && !t.model.empty())
        for (auto g = o.guessed.begin(); g != o.guessed.end();) {
          const auto& pending = o.submitted.at(*g);
          const auto now = core.predictor().predict(pending);
          if (pending.model == t.model && from_model_history(now.level)) {
            o.estimate[*g] = now.seconds;
            g = o.guessed.erase(g);
          } else {
            ++g;
          }
        }
      --o.running[r.worker_id];
      attempts.erase(attempts.begin() + static_cast<std::ptrdiff_t>(reporting));
      // The other attempt either carries on (a failure) or is cancelled (a success).
      RC_ASSERT(effect.still_running == (!attempts.empty() && r.status != task_status::succeeded));
      RC_ASSERT(effect.cancel_on_worker.has_value() == (!attempts.empty() && r.status == task_status::succeeded));
      if (effect.cancel_on_worker) {
        RC_ASSERT(*effect.cancel_on_worker == attempts.front());
        --o.running[attempts.front()];
        attempts.clear();
      }
      if (attempts.empty()) o.placed.erase(id);
    }
    o.now += 1.0 + static_cast<double>(rng() % 50);
  }
  return log;
}

const worker_capability& worker_named(const scenario& s, const std::string& id) {
  for (const auto& w : s.workers)
    if (w.id == id) return w;
  throw std::logic_error("no worker " + id);
}

bool has_free_slot(const scheduler_config& config, const observed& o, const worker_capability& w) {
  auto it = o.running.find(w.id);
  return (it == o.running.end() ? 0 : it->second) < effective_slots(config, w);
}
bool is_busy(const observed& o, const worker_capability& w) {
  auto it = o.running.find(w.id);
  return it != o.running.end() && it->second > 0;
}

} // namespace

RC_GTEST_PROP(scheduler_properties, never_places_a_task_on_a_worker_failing_its_requirements, ()) {
  const auto s = random_scenario();
  drive(s, scheduler_config{}, [&](const scheduler_core&, const observed& o) {
    for (const auto& a : o.assignments)
      RC_ASSERT(!first_rejection(o.submitted.at(a.task_id).requirements, worker_named(s, a.worker_id)));
  });
}

RC_GTEST_PROP(scheduler_properties, no_worker_exceeds_its_slots, ()) {
  const auto s = random_scenario();
  const scheduler_config config;
  drive(s, config, [&](const scheduler_core& core, const observed& o) {
    for (const auto& [w, n] : o.running) RC_ASSERT(n <= effective_slots(config, worker_named(s, w)));
    for (const auto& u : core.stats().workers) RC_ASSERT(u.running <= u.slots);
    RC_ASSERT(core.pending_count() == o.pending.size());
  });
}

// Without deferral, after every schedule(): (a) no pending task has a worker
// that passes its filters and has a free slot; (b) no task placed in the call
// went to a worker that a still-pending task of higher priority could have used.
RC_GTEST_PROP(scheduler_properties, never_leaves_a_task_pending_beside_a_free_compatible_slot_without_deferral, ()) {
  const auto s = random_scenario();
  scheduler_config config;
  config.allow_deferral = false;
  drive(s, config, [&](const scheduler_core&, const observed& o) {
    for (const auto& id : o.pending) {
      const auto& t = o.submitted.at(id);
      for (const auto& w : s.workers)
        RC_ASSERT(first_rejection(t.requirements, w) || !has_free_slot(config, o, w));
      for (const auto& a : o.assignments)
        if (o.submitted.at(a.task_id).priority < t.priority)
          RC_ASSERT(first_rejection(t.requirements, worker_named(s, a.worker_id)).has_value());
    }
  });
}

// The priority rule with deferral on: among identical workers no busy one
// can finish a task sooner than a free one, so after every schedule() no task
// placed in the call went to a worker that a still-pending task of higher
// priority could have used (docs/scheduling.md, "Priority").
RC_GTEST_PROP(scheduler_properties, identical_workers_start_tasks_in_priority_order_with_deferral, ()) {
  const auto s = identical_workers(random_scenario());
  const scheduler_config config;
  drive(s, config, [&](const scheduler_core&, const observed& o) {
    for (const auto& id : o.pending) {
      const auto& t = o.submitted.at(id);
      for (const auto& a : o.assignments)
        if (o.submitted.at(a.task_id).priority < t.priority)
          RC_ASSERT(first_rejection(t.requirements, worker_named(s, a.worker_id)).has_value());
    }
  });
}

// The intelligent policy's order within a priority (docs/scheduling.md, "Queue order"):
// among identical workers, with aging and the affinity lookahead (which
// reorder on purpose) off, no task placed in a call has a longer queue
// estimate (observed::estimate) than a still-pending task of its priority that
// could have used its worker.
RC_GTEST_PROP(scheduler_properties, identical_workers_start_the_shortest_estimate_first_within_a_priority, ()) {
  const auto s = identical_workers(random_scenario());
  scheduler_config config;
  config.shortest_first_aging_factor = 0.0;
  config.enable_task_affinity = false;
  drive(s, config, [&](const scheduler_core&, const observed& o) {
    for (const auto& id : o.pending) {
      const auto& t = o.submitted.at(id);
      for (const auto& a : o.assignments) {
        if (a.backup || o.submitted.at(a.task_id).priority != t.priority) continue;
        if (first_rejection(t.requirements, worker_named(s, a.worker_id))) continue;
        RC_ASSERT(o.estimate.at(a.task_id) <= o.estimate.at(id));
      }
    }
  });
}

// With deferral, the weaker form: a task is only left beside a free compatible
// slot when some compatible worker is busy (it waits for that one), and an
// idle fleet never holds back everything.
RC_GTEST_PROP(scheduler_properties, defers_only_in_favour_of_a_busy_compatible_worker, ()) {
  const auto s = random_scenario();
  const scheduler_config config;
  drive(s, config, [&](const scheduler_core&, const observed& o) {
    for (const auto& id : o.pending) {
      const auto& t = o.submitted.at(id);
      bool free_compatible = false, busy_compatible = false;
      for (const auto& w : s.workers) {
        if (first_rejection(t.requirements, w)) continue;
        free_compatible = free_compatible || has_free_slot(config, o, w);
        busy_compatible = busy_compatible || is_busy(o, w);
      }
      RC_ASSERT(!free_compatible || busy_compatible);
    }
  });
}

RC_GTEST_PROP(scheduler_properties, gives_identical_assignments_for_identical_inputs, ()) {
  const auto s = random_scenario();
  auto ignore = [](const scheduler_core&, const observed&) {};
  const auto first = drive(s, scheduler_config{}, ignore);
  const auto second = drive(s, scheduler_config{}, ignore);
  RC_ASSERT(first.size() == second.size());
  for (std::size_t r = 0; r < first.size(); ++r) {
    RC_ASSERT(first[r].size() == second[r].size());
    for (std::size_t k = 0; k < first[r].size(); ++k) {
      RC_ASSERT(first[r][k].task_id == second[r][k].task_id);
      RC_ASSERT(first[r][k].worker_id == second[r][k].worker_id);
      RC_ASSERT(first[r][k].score == second[r][k].score);
    }
  }
}

RC_GTEST_PROP(scheduler_properties, keeps_every_term_within_its_documented_bounds, ()) {
  const auto s = random_scenario();
  drive(s, scheduler_config{}, [&](const scheduler_core& core, const observed& o) {
    for (const auto& [id, t] : o.submitted) {
      const auto e = core.explain_now(t, o.now);
      for (const auto& c : e.candidates) {
        RC_ASSERT(std::isfinite(c.total));
        RC_ASSERT(std::isfinite(c.predicted_duration_s));
        for (const auto& term : c.terms) {
          const score_term* def = nullptr;
          for (const auto& wt : weighted_terms())
            if (wt.term->name == term.name) def = wt.term;
          RC_ASSERT(def != nullptr);
          RC_ASSERT(std::isfinite(term.value));
          RC_ASSERT(term.value >= def->min_value);
          RC_ASSERT(term.value <= def->max_value);
        }
      }
    }
  });
}

RC_GTEST_PROP(scheduler_properties, recording_arbitrary_results_never_throws_or_produces_nan, ()) {
  const auto s = random_scenario();
  scheduler_core core;
  for (const auto& w : s.workers) core.add_worker(w);
  for (const auto& t : s.tasks) core.submit(t);
  core.schedule(0.0);
  std::mt19937_64 rng(s.seed);
  const int results = *rc::gen::inRange(0, 60);
  for (int i = 0; i < results; ++i) {
    task_result r;
    // Known and unknown tasks and workers alike.
    r.task_id = "t" + std::to_string(rng() % (s.tasks.size() + 3));
    r.worker_id = "w" + std::to_string(rng() % (s.workers.size() + 2));
    r.status = static_cast<task_status>(rng() % 7);
    r.duration_s = wild_duration(rng);
    r.model = models[rng() % models.size()];
    r.type = static_cast<task_type>(rng() % 3);
    r.batch_size = static_cast<int>(rng() % 3) == 0 ? -4 : static_cast<int>(rng() % 64);
    r.metrics["m" + std::to_string(rng() % 3)] = wild_duration(rng);
    core.record_result(r, wild_duration(rng));
  }
  const auto assignments = core.schedule(1e6);
  for (const auto& a : assignments) {
    RC_ASSERT(std::isfinite(a.score));
    RC_ASSERT(std::isfinite(a.predicted_duration_s));
  }
  const auto stats = core.stats();
  for (const auto& w : stats.workers) {
    RC_ASSERT(std::isfinite(w.busy_s));
    RC_ASSERT(w.utilization >= 0.0 && w.utilization <= 1.0);
  }
  for (const auto& [type, t] : stats.execution_time_by_type) RC_ASSERT(std::isfinite(t.average_s));
  for (const auto& e : stats.specialization) RC_ASSERT(std::isfinite(e.value));
  RC_ASSERT(std::isfinite(stats.predictions.mape));
  RC_ASSERT(std::isfinite(stats.predictions.median_abs_log_ratio));
  RC_ASSERT(stats.utilization >= 0.0 && stats.utilization <= 1.0);
  const auto text = to_json(stats).dump();
  RC_ASSERT(text.find("nan") == std::string::npos);
  RC_ASSERT(text.find("inf") == std::string::npos);
  for (const auto& t : s.tasks)
    for (const auto& w : s.workers) RC_ASSERT(std::isfinite(core.predictor().predict(t, w).seconds));
}
