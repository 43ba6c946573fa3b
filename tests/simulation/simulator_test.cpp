#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/simulation/policy_variants.hpp"
#include "scheduler/simulation/simulator.hpp"
#include "scheduler/simulation/trace_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <cmath>
#include <map>
#include <set>

namespace dtf {
namespace {

generated_workload small_workload(arrival_pattern arrivals, std::uint64_t seed = 3) {
  generator_options o;
  o.tasks = 150;
  o.workers = 8;
  o.seed = seed;
  o.arrivals = arrivals;
  return generate_workload(o);
}

simulation_options with_policy(const std::string& policy, bool timeline = true) {
  simulation_options o;
  o.policy = policy;
  o.record_timeline = timeline;
  return o;
}

worker_capability cpu_worker(std::string id, int slots) {
  worker_capability w;
  w.id = std::move(id);
  w.kind = device_kind::cpu;
  w.name = "Test CPU";
  w.memory_bytes = static_cast<std::uint64_t>(16 * bytes_per_gb);
  w.cores = 8;
  w.slots = slots;
  return w;
}

trace_task cpu_task(std::string id, std::string model, double seconds, double load_s = 0.0, double arrival_s = 0.0) {
  trace_task t;
  t.spec.id = std::move(id);
  t.spec.model = std::move(model);
  t.spec.type = task_type::benchmark;
  t.spec.requirements.hardware = {device_kind::cpu};
  t.duration_s = {{"cpu", seconds}};
  t.load_s = load_s;
  t.arrival_s = arrival_s;
  return t;
}

TEST(simulator, same_inputs_give_the_same_result) {
  const auto w = small_workload(arrival_pattern::online);
  for (const auto& policy : {"intelligent", "random", "seed"}) {
    const auto a = simulate(w.tasks, w.fleet, with_policy(policy));
    const auto b = simulate(w.tasks, w.fleet, with_policy(policy));
    EXPECT_EQ(a.makespan_s, b.makespan_s) << policy;
    EXPECT_EQ(a.mean_completion_s, b.mean_completion_s) << policy;
    EXPECT_EQ(a.predictor_mape, b.predictor_mape) << policy;
    EXPECT_EQ(a.lower_bound.value_s, b.lower_bound.value_s) << policy;
    ASSERT_EQ(a.timeline.size(), b.timeline.size());
    for (std::size_t i = 0; i < a.timeline.size(); ++i) {
      EXPECT_EQ(a.timeline[i].task_id, b.timeline[i].task_id);
      EXPECT_EQ(a.timeline[i].worker_id, b.timeline[i].worker_id);
      EXPECT_EQ(a.timeline[i].start_s, b.timeline[i].start_s);
    }
  }
}

/// Every task finishes exactly once (an attempt that lost to its backup, or a
/// backup that lost, is marked cancelled), never before it arrives, only on a
/// worker that meets its requirements, and no worker runs more tasks than its
/// slots (cancelled attempts count until they are stopped).
void expect_conservation(const generated_workload& w, const simulation_result& r) {
  std::map<std::string, const trace_task*> tasks;
  for (const auto& t : w.tasks.tasks) tasks.emplace(t.spec.id, &t);
  std::map<std::string, const worker_capability*> workers;
  for (const auto& worker : w.fleet) workers.emplace(worker.id, &worker);
  std::set<std::string> seen;
  std::map<std::string, std::vector<std::pair<double, int>>> events;  // per worker: (time, +1/-1)
  std::map<std::string, std::string> first_worker;
  for (const auto& e : r.timeline) {
    if (!e.backup) {
      first_worker[e.task_id] = e.worker_id;
    } else {
      EXPECT_NE(first_worker.at(e.task_id), e.worker_id) << e.task_id << ": a backup on its own worker";
    }
    if (!e.cancelled) {
      ASSERT_TRUE(seen.insert(e.task_id).second) << e.task_id << " finished twice under " << r.policy;
    }
    const auto& t = *tasks.at(e.task_id);
    const auto& worker = *workers.at(e.worker_id);
    EXPECT_GE(e.start_s, t.arrival_s) << e.task_id;
    EXPECT_GT(e.end_s, e.start_s) << e.task_id;
    EXPECT_FALSE(first_rejection(t.spec.requirements, worker).has_value()) << e.task_id << " on " << e.worker_id;
    EXPECT_TRUE(true_duration_s(t, worker).has_value());
    events[e.worker_id].push_back({e.start_s, +1});
    events[e.worker_id].push_back({e.end_s, -1});
  }
  EXPECT_EQ(seen.size(), w.tasks.tasks.size()) << r.policy;
  EXPECT_EQ(r.completed, w.tasks.tasks.size());
  for (auto& [id, list] : events) {
    std::sort(list.begin(), list.end());  // at equal times, ends (-1) before starts
    int running = 0;
    for (const auto& [time, delta] : list) {
      running += delta;
      ASSERT_LE(running, std::max(workers.at(id)->slots, 1)) << id << " at " << time << " under " << r.policy;
    }
  }
}

TEST(simulator, every_policy_conserves_tasks_and_respects_requirements_and_slots) {
  for (auto arrivals : {arrival_pattern::batch, arrival_pattern::online}) {
    const auto w = small_workload(arrivals);
    for (const auto& policy : simulation_policy_names()) {
      const auto r = simulate(w.tasks, w.fleet, with_policy(policy));
      expect_conservation(w, r);
      EXPECT_GE(r.makespan_s, r.lower_bound.value_s * (1 - 1e-9)) << policy;
      EXPECT_GT(r.utilization, 0.0);
      EXPECT_LE(r.utilization, 1.0 + 1e-9);
    }
  }
}

TEST(simulator, a_warm_model_starts_without_its_load_time) {
  trace t;
  t.tasks = {cpu_task("a", "bert", 10, 5), cpu_task("b", "bert", 10, 5)};
  const std::vector<worker_capability> fleet = {cpu_worker("w", 1)};
  const auto r = simulate(t, fleet, with_policy("round_robin"));
  ASSERT_EQ(r.timeline.size(), 2u);
  EXPECT_EQ(r.timeline[0].load_s, 5.0);
  EXPECT_EQ(r.timeline[1].load_s, 0.0);
  EXPECT_DOUBLE_EQ(r.makespan_s, 25.0);
  EXPECT_DOUBLE_EQ(r.load_time_s, 5.0);
  EXPECT_DOUBLE_EQ(r.affinity_hit_rate, 0.5);
}

TEST(simulator, evicts_the_least_recently_used_model) {
  trace t;
  t.tasks = {cpu_task("a", "m1", 1, 5), cpu_task("b", "m2", 1, 5), cpu_task("c", "m3", 1, 5),
             cpu_task("d", "m1", 1, 5)};
  auto options = with_policy("round_robin");
  options.warm_models_per_worker = 2;
  const auto r = simulate(t, {cpu_worker("w", 1)}, options);
  ASSERT_EQ(r.timeline.size(), 4u);
  // m1 was pushed out by m2 and m3 (whatever order they ran in, m1 ran first).
  EXPECT_EQ(r.affinity_hit_rate, 0.0);
}

TEST(simulator, waits_for_arrivals_and_measures_completion_from_arrival) {
  trace t;
  t.tasks = {cpu_task("late", "m", 10, 0, 100.0)};
  const auto r = simulate(t, {cpu_worker("w", 1)}, with_policy("intelligent"));
  ASSERT_EQ(r.timeline.size(), 1u);
  EXPECT_EQ(r.timeline[0].start_s, 100.0);
  EXPECT_DOUBLE_EQ(r.makespan_s, 110.0);
  EXPECT_DOUBLE_EQ(r.mean_completion_s, 10.0);
  EXPECT_DOUBLE_EQ(r.mean_wait_s, 0.0);
  EXPECT_DOUBLE_EQ(r.lower_bound.value_s, 110.0 * (1.0));
}

TEST(simulator, reports_tasks_no_worker_can_run_and_finishes_the_rest) {
  trace t;
  t.tasks = {cpu_task("ok", "m", 10)};
  auto gpu = cpu_task("gpu", "m", 10);
  gpu.spec.requirements.hardware = {device_kind::rocm};
  gpu.duration_s = {{"rocm", 1}};
  t.tasks.push_back(gpu);
  const auto r = simulate(t, {cpu_worker("w", 1)}, with_policy("intelligent"));
  EXPECT_EQ(r.completed, 1u);
  EXPECT_EQ(r.unscheduled, 1u);
}

TEST(simulator, a_trace_without_a_time_for_a_feasible_worker_is_a_named_error) {
  trace t;
  t.file = "mismatch.jsonl";
  auto task = cpu_task("x", "m", 10);
  task.duration_s = {{"V100", 10}};  // no entry for a CPU
  task.line = 7;
  t.tasks = {task};
  try {
    simulate(t, {cpu_worker("w", 1)}, with_policy("intelligent"));
    FAIL() << "expected an input_error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.file(), "mismatch.jsonl");
    EXPECT_EQ(e.line(), 7);
    EXPECT_EQ(e.field(), "duration");
  }
}

TEST(simulator, a_backup_attempt_rescues_a_straggler_but_not_a_wrong_guess) {
  worker_capability gpu = cpu_worker("gpu", 1);
  gpu.kind = device_kind::cuda;
  gpu.name = "Test GPU";
  gpu.compute_capability = 8.0;
  const std::vector<worker_capability> fleet{gpu, cpu_worker("cpu", 1)};
  const auto task_of = [](std::string id, double cpu_s, double arrival_s,
                          std::vector<device_kind> hardware = {device_kind::cuda, device_kind::cpu}) {
    auto t = cpu_task(std::move(id), "m", 10, 0.0, arrival_s);
    t.spec.requirements.hardware = std::move(hardware);
    t.duration_s = {{"cuda", 10}, {"cpu", cpu_s}};
    return t;
  };

  // A wrong guess: `b` takes 10,000 s on the CPU but 10 s on the GPU, and
  // nothing was learned of its model before it starts. Its overrun says the
  // default guess was wrong, not that the CPU straggles: no backup. (Without
  // deferral, so that b starts on the CPU rather than wait for the GPU, as
  // the CPU prior for an untried model would make it.)
  trace guess;
  guess.tasks = {task_of("a", 12, 0), task_of("b", 10000, 0)};
  auto eager = with_policy("intelligent");
  eager.config.allow_deferral = false;
  const auto guessed = simulate(guess, fleet, eager);
  EXPECT_EQ(guessed.backups_started, 0u);
  EXPECT_EQ(guessed.completed, 2u);

  // A straggler: model m is known to take 12 s on the CPU (four runs), then
  // one run of it hangs there for 10,000 s. Far past the p99 of a
  // prediction from m's own history, with the GPU free, it gets a copy. (The
  // budget is raised: with so little other work, what the straggler ran so
  // far is more than 3 % of all slot time.)
  trace straggler;
  const std::vector<device_kind> cpu_only{device_kind::cpu};
  straggler.tasks = {task_of("h1", 12, 0, cpu_only), task_of("h2", 12, 0, cpu_only), task_of("h3", 12, 0, cpu_only),
                     task_of("h4", 12, 0, cpu_only), task_of("b1", 12, 100), task_of("b", 10000, 100)};
  const auto without = simulate(straggler, fleet, with_policy("intelligent-no-backups"));
  EXPECT_EQ(without.backups_started, 0u);
  auto generous = with_policy("intelligent");
  generous.config.backup_budget_fraction = 2.0;
  const auto with = simulate(straggler, fleet, generous);
  const auto stuck = std::find_if(with.timeline.begin(), with.timeline.end(),
                                  [](const auto& e) { return e.task_id == "b" && !e.backup; });
  ASSERT_NE(stuck, with.timeline.end());
  if (stuck->worker_id == "cpu") {
    EXPECT_GE(without.makespan_s, 10000.0);
    EXPECT_LT(with.makespan_s, 2000.0);
    EXPECT_EQ(with.backups_started, 1u);
    EXPECT_EQ(with.backups_won, 1u);
    EXPECT_GT(with.backup_wasted_s, 0.0);  // the CPU's time on b until it was cancelled
    EXPECT_TRUE(stuck->cancelled);
  } else {
    ADD_FAILURE() << "b should start on the CPU (b1 takes the GPU); it went to " << stuck->worker_id;
  }
  EXPECT_EQ(with.completed, 6u);
}

TEST(simulator, submits_tasks_without_a_timeout_since_it_kills_no_run) {
  // Default-level predictions, 60 s x sqrt(batch) / speed: `long` is 5,000 s
  // on the fast GPU, `next` 500 s there and 6,000 s on the slow one. At 1 s
  // the fast GPU is busy with `long` until 5,000 s, so `next` would end there
  // at 5,500 s: not the quarter sooner that defers a task, so `next` starts
  // on the slow GPU at once. Under the task model's default 600 s timeout,
  // which no simulated run is killed by, the timeout rule would instead have
  // held it for the fast GPU, the only one to finish it in time.
  const auto gpu = [](std::string id, std::string name, double speed) {
    worker_capability w = cpu_worker(std::move(id), 1);
    w.kind = device_kind::cuda;
    w.name = std::move(name);
    w.compute_capability = 8.0;
    w.speed = speed;
    return w;
  };
  const std::vector<worker_capability> fleet{gpu("fast", "Fast GPU", 12.0), gpu("slow", "Slow GPU", 1.0)};
  const auto task_of = [](std::string id, int batch, double fast_s, double slow_s, double arrival_s) {
    auto t = cpu_task(std::move(id), "m", 0.0, 0.0, arrival_s);
    t.spec.batch_size = batch;
    t.spec.requirements.hardware = {device_kind::cuda};
    t.duration_s = {{"Fast GPU", fast_s}, {"Slow GPU", slow_s}};
    return t;
  };
  trace two;
  // (A trace's seconds are at speed 1: the fast GPU runs them 12x faster.)
  two.tasks = {task_of("long", 1'000'000, 60000, 60000, 0), task_of("next", 10'000, 6000, 6000, 1)};
  const auto r = simulate(two, fleet, with_policy("intelligent"));
  ASSERT_EQ(r.completed, 2u);
  std::map<std::string, timeline_entry> by_task;
  for (const auto& e : r.timeline) by_task[e.task_id] = e;
  EXPECT_EQ(by_task["long"].worker_id, "fast");
  EXPECT_DOUBLE_EQ(by_task["long"].end_s, 5000.0);
  EXPECT_EQ(by_task["next"].worker_id, "slow");
  EXPECT_DOUBLE_EQ(by_task["next"].start_s, 1.0);
  EXPECT_DOUBLE_EQ(by_task["next"].predicted_s, 6000.0);
}

TEST(simulator, reports_how_well_the_predictions_rank_the_run_times) {
  // One CPU worker, tasks of six models arriving one after another. Where run
  // time follows the model (10 s x 3^k, a few % apart), the models' history
  // ranks the runs; where it does not (the same models, run times drawn
  // log-uniformly over the same range), it cannot.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> log_seconds(std::log(10.0), std::log(2430.0));
  trace following, not_following;
  for (int i = 0; i < 180; ++i) {
    const int k = (i * 5) % 6;
    const std::string model = "m" + std::to_string(k);
    const double arrival_s = 5000.0 * i;  // each run ends before the next arrives
    following.tasks.push_back(cpu_task("f" + std::to_string(i), model,
                                       10.0 * std::pow(3.0, k) * (1.0 + 0.02 * ((i * 13) % 7) / 7.0), 0.0, arrival_s));
    not_following.tasks.push_back(cpu_task("n" + std::to_string(i), model, std::exp(log_seconds(rng)), 0.0, arrival_s));
  }
  const std::vector<worker_capability> fleet{cpu_worker("cpu", 1)};
  const auto ranked = simulate(following, fleet, with_policy("intelligent", false));
  const auto unranked = simulate(not_following, fleet, with_policy("intelligent", false));
  ASSERT_TRUE(ranked.prediction_rank_correlation);
  ASSERT_TRUE(unranked.prediction_rank_correlation);
  EXPECT_GT(*ranked.prediction_rank_correlation, 0.9);
  EXPECT_LT(std::abs(*unranked.prediction_rank_correlation), 0.3);
}

TEST(simulator, unknown_policy_is_an_input_error) {
  trace t;
  t.tasks = {cpu_task("a", "m", 1)};
  EXPECT_THROW(simulate(t, {cpu_worker("w", 1)}, with_policy("clairvoyant")), input_error);
}

TEST(simulator, ablations_switch_off_one_feature_each) {
  const scheduler_config base;
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-affinity", base)->config.enable_task_affinity);
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-specialization", base)->config.enable_worker_specialization);
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-prediction", base)->config.enable_predictive_scheduling);
  EXPECT_EQ(resolve_policy_variant("intelligent-no-prediction", base)->policy, "intelligent");
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-prediction", base)->config.backup_attempts);
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-backups", base)->config.backup_attempts);
  EXPECT_TRUE(resolve_policy_variant("intelligent-no-backups", base)->config.enable_predictive_scheduling);
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-deferral", base)->config.allow_deferral);
  EXPECT_TRUE(resolve_policy_variant("intelligent-no-deferral", base)->config.backup_attempts);
  EXPECT_FALSE(resolve_policy_variant("intelligent-no-scarcity", base)->config.leave_scarce_profiles);
  EXPECT_TRUE(resolve_policy_variant("intelligent-no-scarcity", base)->config.allow_deferral);
  EXPECT_FALSE(resolve_policy_variant("intelligent-longest-first", base)->config.shortest_first);
  EXPECT_TRUE(resolve_policy_variant("intelligent-longest-first", base)->config.allow_deferral);
  EXPECT_EQ(resolve_policy_variant("seed", base)->policy, "seed");
  EXPECT_FALSE(resolve_policy_variant("nonsense", base).has_value());
}

} // namespace
} // namespace dtf
