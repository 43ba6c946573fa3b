#include "fleet_fixtures.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>

using namespace dtf;
using namespace dtf::testing;

namespace {
// One CPU worker "w" with a single slot.
scheduler_core one_slot_core(bool shortest_first = true) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.shortest_first = shortest_first;
  scheduler_core core(config);
  core.add_worker(cpu_worker("w", "cpu", 64, 32));
  return core;
}

// The original design's four profiles.
void add_reference_fleet(scheduler_core& core) {
  core.add_worker(cuda_worker("rtx3080", "NVIDIA GeForce RTX 3080", 10, 8.6, 68));
  core.add_worker(cuda_worker("a100", "NVIDIA A100-SXM4-40GB", 40, 8.0, 108));
  core.add_worker(cpu_worker("xeon", "Intel Xeon 32-core", 64, 32));
  core.add_worker(rocm_worker("mi100", "AMD Instinct MI100", 32, "gfx908"));
}
} // namespace

TEST(scheduler_core, places_each_task_on_a_worker_meeting_its_requirements) {
  scheduler_core core;
  add_reference_fleet(core);
  core.submit(make_task("big-cuda", {device_kind::cuda}, 16));
  core.submit(make_task("cpu-test"));
  core.submit(make_task("rocm-only", {device_kind::rocm}));
  auto where = placement(core.schedule());
  EXPECT_EQ(where["big-cuda"], "a100");
  EXPECT_EQ(where["cpu-test"], "xeon");
  EXPECT_EQ(where["rocm-only"], "mi100");
  EXPECT_EQ(core.pending_count(), 0u);
  EXPECT_EQ(core.running_count(), 3u);
}

TEST(scheduler_core, prefers_the_first_listed_kind) {
  scheduler_core core;
  add_reference_fleet(core);
  core.submit(make_task("t", {device_kind::rocm, device_kind::cuda}));
  EXPECT_EQ(placement(core.schedule())["t"], "mi100");
}

TEST(scheduler_core, never_exceeds_a_workers_slots) {
  scheduler_config config;
  config.max_tasks_per_worker = 2;
  config.max_tasks_per_worker_overrides["solo"] = 1;
  scheduler_core core(config);
  core.add_worker(cpu_worker("solo", "cpu", 64, 32));
  core.add_worker(cpu_worker("pair", "cpu", 64, 32));
  for (int i = 0; i < 6; ++i) core.submit(make_task("t" + std::to_string(i)));
  auto placed = core.schedule();
  EXPECT_EQ(placed.size(), 3u);
  EXPECT_EQ(core.pending_count(), 3u);
  auto stats = core.stats();
  EXPECT_EQ(stats.workers[0].slots, 1);
  EXPECT_EQ(stats.workers[0].running, 1);
  EXPECT_EQ(stats.workers[1].running, 2);
}

TEST(scheduler_core, places_higher_priority_first_when_slots_are_scarce) {
  auto core = one_slot_core();
  core.submit(make_task("low", {}, 0, 1));
  core.submit(make_task("high", {}, 0, 5));
  auto placed = core.schedule();
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "high");
}

TEST(scheduler_core, breaks_score_ties_by_registration_order) {
  scheduler_core core;
  core.add_worker(cpu_worker("first", "cpu", 64, 32));
  core.add_worker(cpu_worker("second", "cpu", 64, 32));
  core.submit(make_task("t"));
  EXPECT_EQ(placement(core.schedule())["t"], "first");
}

TEST(scheduler_core, rejects_a_duplicate_live_task_id) {
  scheduler_core core;
  core.submit(make_task("t"));
  EXPECT_THROW(core.submit(make_task("t")), std::invalid_argument);
}

TEST(scheduler_core, reports_unplaceable_tasks_with_each_workers_reason) {
  scheduler_core core;
  add_reference_fleet(core);
  core.submit(make_task("huge", {device_kind::cuda}, 100));
  EXPECT_TRUE(core.schedule().empty());
  auto stuck = core.unplaceable();
  ASSERT_EQ(stuck.size(), 1u);
  EXPECT_EQ(stuck[0].task_id, "huge");
  ASSERT_EQ(stuck[0].reasons.size(), 4u);
  EXPECT_EQ(stuck[0].reasons[0].second, "memory 10.0 GiB < required 100.0 GiB");
  EXPECT_EQ(stuck[0].reasons[2].second, "device kind cpu not in [cuda]");
}

TEST(scheduler_core, a_task_only_a_lost_worker_can_run_waits_for_it_instead_of_ending_unplaceable) {
  scheduler_core core;
  core.add_worker(cuda_worker("g1", "NVIDIA A100", 40, 8.0, 108));
  core.add_worker(cpu_worker("c1", "Xeon", 64, 16, 2));
  core.submit(make_task("y1", {device_kind::cpu}));
  core.submit(make_task("y2", {device_kind::cpu}));
  ASSERT_EQ(core.schedule().size(), 2u);
  EXPECT_EQ(core.remove_worker("c1", true).size(), 2u);  // both ran there
  EXPECT_TRUE(core.unplaceable().empty());
  auto waiting = core.stranded();
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].task_id, "y1");
  EXPECT_EQ(waiting[0].lost_workers, std::vector<std::string>{"c1"});
  ASSERT_EQ(waiting[0].reasons.size(), 1u);
  EXPECT_EQ(waiting[0].reasons[0].second, "device kind cuda not in [cpu]");
  EXPECT_TRUE(core.schedule().empty());
  EXPECT_EQ(core.pending_count(), 2u);

  core.add_worker(cpu_worker("c1", "Xeon", 64, 16, 2));  // it joins again
  EXPECT_TRUE(core.stranded().empty());
  EXPECT_EQ(placement(core.schedule()), (std::map<std::string, std::string>{{"y1", "c1"}, {"y2", "c1"}}));
}

TEST(scheduler_core, a_task_no_worker_ever_registered_can_run_stays_unplaceable_after_a_loss) {
  scheduler_core core;
  core.add_worker(cuda_worker("g1", "NVIDIA A100", 40, 8.0, 108));
  core.add_worker(cpu_worker("c1", "Xeon", 64, 16, 2));
  core.submit(make_task("r", {device_kind::rocm}));
  core.remove_worker("c1", true);
  EXPECT_TRUE(core.stranded().empty());
  auto stuck = core.unplaceable();
  ASSERT_EQ(stuck.size(), 1u);
  EXPECT_EQ(stuck[0].task_id, "r");
}

TEST(scheduler_core, a_worker_removed_for_good_leaves_its_tasks_unplaceable) {
  scheduler_core core;
  core.add_worker(cuda_worker("g1", "NVIDIA A100", 40, 8.0, 108));
  core.add_worker(cpu_worker("c1", "Xeon", 64, 16, 2));
  core.submit(make_task("y1", {device_kind::cpu}));
  core.remove_worker("c1");  // dtf run: a lost worker never returns
  EXPECT_TRUE(core.stranded().empty());
  ASSERT_EQ(core.unplaceable().size(), 1u);
}

TEST(scheduler_core, frees_the_slot_when_a_result_arrives) {
  auto core = one_slot_core();
  core.submit(make_task("a"));
  core.submit(make_task("b"));
  ASSERT_EQ(core.schedule(0).size(), 1u);
  EXPECT_TRUE(core.schedule(1).empty());
  core.record_result(success_of("a", "w", 2.0), 2.0);
  auto placed = core.schedule(2.0);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "b");
}

TEST(scheduler_core, requeues_the_tasks_of_a_removed_worker) {
  scheduler_core core;
  core.add_worker(cpu_worker("gone", "cpu", 64, 32));
  core.submit(make_task("a"));
  core.submit(make_task("b"));
  ASSERT_EQ(core.schedule().size(), 2u);
  auto requeued = core.remove_worker("gone");
  EXPECT_EQ(requeued, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(core.pending_count(), 2u);
  EXPECT_EQ(core.running_count(), 0u);
  core.add_worker(cpu_worker("new", "cpu", 64, 32));
  auto where = placement(core.schedule());
  EXPECT_EQ(where["a"], "new");
  EXPECT_EQ(where["b"], "new");
}

TEST(scheduler_core, requeue_prefers_another_worker_but_uses_the_only_one) {
  scheduler_core core;
  core.add_worker(cpu_worker("w1", "cpu", 64, 32));
  core.add_worker(cpu_worker("w2", "cpu", 64, 32));
  core.submit(make_task("t"));
  auto first = core.schedule();
  ASSERT_EQ(first.size(), 1u);
  task_result failed = success_of("t", first[0].worker_id, 1.0);
  failed.status = task_status::failed;
  core.record_result(failed, 1.0);
  core.requeue("t", first[0].worker_id, 1.0);
  auto second = core.schedule(1.0);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].worker_id, first[0].worker_id);

  scheduler_core single;
  single.add_worker(cpu_worker("only", "cpu", 64, 32));
  single.submit(make_task("t"));
  single.schedule();
  single.record_result([] {
    auto r = success_of("t", "only", 1.0);
    r.status = task_status::timed_out;
    return r;
  }());
  single.requeue("t", "only");
  auto again = single.schedule();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].worker_id, "only");
}

TEST(scheduler_core, cancels_pending_and_placed_tasks_but_not_finished_ones) {
  auto core = one_slot_core();
  core.submit(make_task("placed"));
  core.submit(make_task("waiting"));
  core.submit(make_task("done"));
  ASSERT_EQ(core.schedule().size(), 1u);
  EXPECT_TRUE(core.cancel("waiting"));
  EXPECT_TRUE(core.cancel("placed"));
  EXPECT_EQ(core.running_count(), 0u);
  auto placed = core.schedule();
  ASSERT_EQ(placed.size(), 1u);
  core.record_result(success_of("done", "w", 1.0));
  EXPECT_FALSE(core.cancel("done"));
  EXPECT_FALSE(core.cancel("never-submitted"));
  EXPECT_EQ(core.stats().tasks_by_status["cancelled"], 2u);
}

TEST(scheduler_core, release_planned_frees_the_slot_without_learning) {
  auto core = one_slot_core();
  core.submit(make_task("a"));
  core.submit(make_task("b"));
  core.schedule();
  core.release_planned("a", 60.0);
  EXPECT_EQ(core.predictor().samples(), 0u);
  EXPECT_EQ(core.schedule(60.0).size(), 1u);
  EXPECT_EQ(core.stats().tasks_by_status["planned"], 1u);
}

TEST(scheduler_core, returns_to_a_worker_where_the_model_is_warm) {
  scheduler_core core;
  core.add_worker(cuda_worker("g1", "A100", 40, 8.0));
  core.add_worker(cuda_worker("g2", "A100", 40, 8.0));
  core.submit(make_task("first", {device_kind::cuda}, 0, 0, "bert-base-uncased"));
  auto a = core.schedule(0);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].worker_id, "g1");
  core.record_result(success_of("first", "g1", 10.0, "bert-base-uncased"), 10);
  // g1 is idle again; make g2 look slightly better on everything but affinity.
  core.submit(make_task("unrelated", {device_kind::cuda}, 0, 0, "resnet50"));
  core.submit(make_task("again", {device_kind::cuda}, 0, 0, "distilbert-base-uncased"));
  auto where = placement(core.schedule(10));
  EXPECT_EQ(where["again"], "g1");
  EXPECT_EQ(core.stats().affinity.same_family_hits, 1u);
}

TEST(scheduler_core, defers_for_a_much_faster_busy_worker) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  scheduler_core core(config);
  core.add_worker(cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0));
  core.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
  // Without history the predictor scales by speed: 6 s on fast, 60 s on slow.
  core.submit(make_task("a"), 0);
  core.submit(make_task("b"), 0);
  auto first = placement(core.schedule(0));
  // "a" takes the fast worker; "b" would need 60 s on the slow one but only
  // 6 + 6 s waiting for the fast one, so it is held back.
  EXPECT_EQ(first.size(), 1u);
  EXPECT_EQ(first.begin()->second, "fast");
  EXPECT_EQ(core.pending_count(), 1u);
  EXPECT_GE(core.stats().deferrals, 1u);

  // With deferral off the same situation places greedily.
  config.allow_deferral = false;
  scheduler_core greedy(config);
  greedy.add_worker(cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0));
  greedy.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
  greedy.submit(make_task("a"));
  greedy.submit(make_task("b"));
  EXPECT_EQ(greedy.schedule().size(), 2u);
}

// The priority rule (docs/scheduling.md, "Priority"): a lower-priority task starts on a
// free worker before a waiting higher-priority one only where that one is held
// back for a busy worker predicted to finish it clearly sooner.
TEST(scheduler_core, a_lower_priority_task_starts_first_only_where_the_higher_one_would_finish_sooner_elsewhere) {
  for (const double fast_speed : {10.0, 1.2}) {
    scheduler_config config;
    config.max_tasks_per_worker = 1;
    scheduler_core core(config);
    core.add_worker(cpu_worker("fast", "fast-cpu", 32, 32, 1, fast_speed));
    core.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
    core.submit(make_task("a", {}, 0, 2), 0);
    core.submit(make_task("b", {}, 0, 2), 0);
    core.submit(make_task("low", {}, 48, 0), 0);  // fits only the slow worker
    auto placed = placement(core.schedule(0));
    EXPECT_EQ(placed["a"], "fast");
    if (fast_speed == 10.0) {
      // b: 6 + 6 s waiting for the fast worker against 60 s on the slow one.
      EXPECT_EQ(placed.count("b"), 0u);
      EXPECT_EQ(placed["low"], "slow");
    } else {
      // b would not finish sooner on the fast worker: it goes first.
      EXPECT_EQ(placed["b"], "slow");
      EXPECT_EQ(placed.count("low"), 0u);
    }
  }
}

namespace {
// bert ran 6 s on `fast` and 60 s on `slow`; with `noisy`, the exact level has
// learned a spread too wide to bet on (prediction_spread::noisy).
void learn_bert_history(scheduler_core& core, const worker_capability& fast, const worker_capability& slow,
                        bool noisy) {
  core.learn_from_history(success_of("h1", "fast", 6.0, "bert"), fast);
  core.learn_from_history(success_of("h2", "slow", 60.0, "bert"), slow);
  if (noisy)
    for (int k = 0; k < 40; ++k)
      core.predictor().record_outcome(prediction{10.0, prediction_level::exact, 1, 0.0}, k % 2 == 0 ? 1e4 : 1e-2);
}
} // namespace

// A deferral is a bet on predictions: none where the model's history level
// has learned a noisy spread (prediction_spread::noisy).
TEST(scheduler_core, holds_no_task_back_on_noisy_predictions) {
  for (const bool noisy : {false, true}) {
    scheduler_config config;
    config.max_tasks_per_worker = 1;
    config.backup_attempts = false;
    scheduler_core core(config);
    const auto fast = cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0);
    const auto slow = cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0);
    core.add_worker(fast);
    core.add_worker(slow);
    learn_bert_history(core, fast, slow, noisy);
    core.submit(make_task("a", {}, 0, 0, "bert"), 0);
    core.submit(make_task("b", {}, 0, 0, "bert"), 0);
    auto placed = placement(core.schedule(0));
    EXPECT_EQ(placed["a"], "fast");
    if (noisy) EXPECT_EQ(placed["b"], "slow");
    else EXPECT_EQ(placed.count("b"), 0u);  // 6 + 6 s on the fast one against 60 s here
  }
}

// Noise in device ratios learned from other models (model_type_scaled) does
// not make a model's own runs untrustworthy: a task still waits for the busy
// worker its own history predicts clearly faster, though a worker it never
// ran on looks fastest by ratio (drift-batch seed 1: a resnet50 went to a CPU
// for 84,595 s because a K80 predicted 48 s by ratio made the task untrusted).
TEST(scheduler_core, holds_a_task_back_on_its_own_history_while_only_device_ratios_are_noisy) {
  for (const bool exact_noisy : {false, true}) {
    scheduler_config config;
    config.max_tasks_per_worker = 1;
    config.backup_attempts = false;
    scheduler_core core(config);
    const auto fast = cuda_worker("fast", "fast-gpu", 64, 8.0, 68, 1, 10.0);
    const auto slow = cuda_worker("slow", "slow-gpu", 64, 8.0, 68, 1, 1.0);
    const auto odd = cuda_worker("odd", "odd-gpu", 128, 8.0, 68, 1, 1.0);
    core.add_worker(fast);
    core.add_worker(slow);
    core.add_worker(odd);
    learn_bert_history(core, fast, slow, exact_noisy);
    // bert-large (bert's family) ran 60 x faster on odd than on slow: bert, never run on odd, is
    // predicted there by that ratio.
    for (int k = 0; k < 3; ++k) {
      core.learn_from_history(success_of("g1", "slow", 60.0, "bert-large"), slow);
      core.learn_from_history(success_of("g2", "odd", 1.0, "bert-large"), odd);
    }
    for (int k = 0; k < 40; ++k)
      core.predictor().record_outcome(prediction{10.0, prediction_level::model_type_scaled, 1, 0.0},
                                      k % 2 == 0 ? 1e4 : 1e-2);
    ASSERT_TRUE(core.predictor().spread().noisy(prediction_level::model_type_scaled));
    const auto on_odd = core.predictor().predict(make_task("probe", {device_kind::cuda}, 0, 0, "bert"), odd);
    ASSERT_EQ(on_odd.level, prediction_level::model_type_scaled);
    ASSERT_LT(on_odd.seconds, 6.0);  // the fastest by ratio
    core.submit(make_task("filler", {device_kind::cuda}, 100.0, 0, "bert-large"), 0);  // only odd fits it
    EXPECT_EQ(placement(core.schedule(0))["filler"], "odd");
    core.submit(make_task("a", {device_kind::cuda}, 0, 0, "bert"), 0);
    core.submit(make_task("b", {device_kind::cuda}, 0, 0, "bert"), 0);
    auto placed = placement(core.schedule(0));
    EXPECT_EQ(placed["a"], "fast");
    if (exact_noisy) EXPECT_EQ(placed["b"], "slow");  // its own run times are the heavy tail: no bet
    else EXPECT_EQ(placed.count("b"), 0u);             // 6 + 6 s on the fast one against 60 s here
  }
}

// Nor does a noisy prediction pick the worker: the predicted-finish term is
// left out of the score of a task whose predictions are not trusted, and so
// are the terms it keeps in check -- specialization (mean run times per
// worker) and affinity (a warm worker would win whatever its speed).
TEST(scheduler_core, scores_without_the_predicted_finish_on_noisy_predictions) {
  for (const bool noisy : {false, true}) {
    scheduler_core core;
    const auto slow = cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0);
    const auto fast = cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0);
    core.add_worker(slow);
    core.add_worker(fast);
    learn_bert_history(core, fast, slow, noisy);
    const auto why = core.explain_now(make_task("a", {}, 0, 0, "bert"), 0);
    ASSERT_EQ(why.candidates.size(), 2u);
    for (const auto& c : why.candidates)
      for (const char* name : {"predicted_finish", "specialization", "affinity"}) {
        const bool has_term = std::any_of(c.terms.begin(), c.terms.end(),
                                          [name](const term_value& v) { return v.name == name; });
        EXPECT_EQ(has_term, !noisy) << c.worker_id << ": " << name;
      }
  }
}

TEST(scheduler_core, never_defers_when_nothing_is_running) {
  scheduler_core core;
  core.add_worker(cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0));
  core.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
  core.submit(make_task("only"));
  EXPECT_EQ(core.schedule().size(), 1u);
}

TEST(scheduler_core, does_not_defer_a_task_forever) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.backup_attempts = false;  // else the silent fast worker's task gets a backup in the free slot
  scheduler_core core(config);
  core.add_worker(cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0));
  core.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
  core.submit(make_task("a"), 0);
  core.submit(make_task("b"), 0);
  core.schedule(0);
  // Whatever was deferred at t=0 is placed once it has waited long enough,
  // even if the fast worker never reports back.
  core.schedule(1e6);
  EXPECT_EQ(core.pending_count(), 0u);
}

TEST(scheduler_core, stops_waiting_for_a_worker_stuck_far_past_its_prediction) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.backup_attempts = false;
  config.deferral_max_wait_factor = 1e9;  // only the stuck worker's overrun can release the task
  scheduler_core core(config);
  core.add_worker(cpu_worker("fast", "fast-cpu", 64, 32, 1, 10.0));
  core.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
  core.submit(make_task("a"), 0);
  core.submit(make_task("b"), 0);
  const auto first = core.schedule(0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].worker_id, "fast");
  const double fast_s = first[0].predicted_duration_s;
  // Slightly past its prediction the fast worker is still expected to free soon: b waits for it.
  EXPECT_TRUE(core.schedule(fast_s * 1.5).empty());
  // Far past it, the fast worker no longer counts as about to free: b goes to the slow one.
  const auto later = core.schedule(1e6);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].task_id, "b");
  EXPECT_EQ(later[0].worker_id, "slow");
}

TEST(scheduler_core, explains_every_candidate_with_terms_or_a_reason) {
  scheduler_config config;
  config.keep_explanations = 8;
  scheduler_core core(config);
  add_reference_fleet(core);
  core.submit(make_task("t", {device_kind::cuda}, 16, 0, "bert-base-uncased"));
  core.schedule();
  auto e = core.explanation("t");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->policy, "intelligent");
  EXPECT_EQ(e->winner, "a100");
  EXPECT_EQ(e->outcome, "placed");
  ASSERT_EQ(e->candidates.size(), 4u);
  EXPECT_FALSE(e->candidates[0].feasible);
  EXPECT_EQ(e->candidates[0].rejection, "memory 10.0 GiB < required 16.0 GiB");
  EXPECT_TRUE(e->candidates[1].feasible);
  EXPECT_EQ(e->candidates[1].terms.size(), 10u);
  double sum = 0;
  for (const auto& term : e->candidates[1].terms) {
    EXPECT_DOUBLE_EQ(term.contribution, term.value * term.weight);
    sum += term.contribution;
  }
  EXPECT_NEAR(sum, e->candidates[1].total, 1e-9);
  EXPECT_EQ(e->candidates[2].rejection, "device kind cpu not in [cuda]");
}

TEST(scheduler_core, explain_now_describes_a_hypothetical_task) {
  scheduler_core core;
  add_reference_fleet(core);
  auto e = core.explain_now(make_task("what-if", {device_kind::rocm}));
  EXPECT_EQ(e.winner, "mi100");
  EXPECT_EQ(core.pending_count(), 0u);  // nothing was submitted
  auto none = core.explain_now(make_task("impossible", {device_kind::rocm}, 500));
  EXPECT_FALSE(none.winner);
  EXPECT_EQ(none.outcome.rfind("unplaceable", 0), 0u);
}

TEST(scheduler_core, keeps_a_bounded_number_of_explanations) {
  scheduler_config config;
  config.keep_explanations = 2;
  scheduler_core core(config);
  core.add_worker(cpu_worker("w", "cpu", 64, 32, 8));
  for (int i = 0; i < 4; ++i) core.submit(make_task("t" + std::to_string(i)));
  core.schedule();
  EXPECT_FALSE(core.explanation("t0"));
  EXPECT_TRUE(core.explanation("t3"));
}

TEST(scheduler_stats, counts_idle_workers_and_tasks_by_type_and_status) {
  scheduler_core core;
  add_reference_fleet(core);
  auto t = make_task("bench", {device_kind::cuda}, 0, 0, "bert-base-uncased");
  core.submit(t, 0);
  auto test_task = make_task("unit");
  test_task.type = task_type::test;
  core.submit(test_task, 0);
  auto placed = placement(core.schedule(0));
  task_result r = success_of("bench", placed["bench"], 12.0, "bert-base-uncased");
  r.metrics = {{"throughput", 100.0}, {"latency_ms", 3.0}};
  core.record_result(r, 12.0);

  auto s = core.stats();
  ASSERT_EQ(s.workers.size(), 4u);  // idle ones included
  for (const auto& w : s.workers) {
    EXPECT_GE(w.utilization, 0.0);
    EXPECT_LE(w.utilization, 1.0);
  }
  EXPECT_EQ(s.workers[3].worker_id, "mi100");
  EXPECT_EQ(s.workers[3].running, 0);
  EXPECT_DOUBLE_EQ(s.workers[3].utilization, 0.0);
  EXPECT_EQ(s.tasks_by_type_and_status["benchmark"]["succeeded"], 1u);
  EXPECT_EQ(s.tasks_by_type_and_status["test"]["assigned"], 1u);
  EXPECT_DOUBLE_EQ(s.execution_time_by_type["benchmark"].average_s, 12.0);
  EXPECT_EQ(s.performance_metric_counts["throughput"], 1u);
  EXPECT_EQ(s.model_family_distribution["bert"], 1u);
  EXPECT_EQ(s.model_family_distribution["none"], 1u);
  EXPECT_EQ(s.predictions.defaults, 1u);  // placed before anything was learned
  EXPECT_EQ(s.predictions.from_history, 0u);
  EXPECT_FALSE(s.specialization.empty());
  EXPECT_EQ(s.decisions, 2u);
}

TEST(policy_registry, names_the_valid_policies_for_an_unknown_one) {
  auto names = policy_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "intelligent"), names.end());
  try {
    make_policy("nope", {});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string{e.what()}.find("intelligent"), std::string::npos);
  }
}

namespace {
// Four fast single-slot workers (speed 10) and one slow one (speed 1).
scheduler_core fast_and_slow_fleet() {
  scheduler_core core;
  for (int i = 0; i < 4; ++i) core.add_worker(cpu_worker("fast" + std::to_string(i), "fast-cpu", 64, 32, 1, 10.0));
  core.add_worker(cpu_worker("slow", "slow-cpu", 64, 32, 1, 1.0));
  return core;
}
} // namespace

TEST(scheduler_view, counts_the_tasks_busy_workers_would_finish_sooner) {
  auto core = fast_and_slow_fleet();
  for (int i = 0; i < 4; ++i) core.submit(make_task("busy" + std::to_string(i)), 0);
  auto placed = placement(core.schedule(0));
  ASSERT_EQ(placed.size(), 4u);
  for (const auto& [task_id, worker] : placed) EXPECT_EQ(worker.rfind("fast", 0), 0u);
  scheduler_view view{core};
  auto probe = make_task("probe");
  // Each fast worker frees in 6 s and then runs a probe every 6 s: six of
  // them end by 45 s (6 + 6 x 6 = 42), 24 over the four fast workers.
  EXPECT_EQ(view.busy_finishing_within(probe, 0, 45.0, 100), 24u);
  EXPECT_EQ(view.busy_finishing_within(probe, 0, 45.0, 10), 10u);
  EXPECT_EQ(view.busy_finishing_within(probe, 0, 45.0, 2), 2u);
  EXPECT_EQ(view.busy_finishing_within(probe, 0, 10.0, 10), 0u);
  EXPECT_EQ(view.deferred_ahead(probe), 0u);
  // Past their predicted end (6 s) by 4 s, they are expected to need 4 s more.
  EXPECT_EQ(view.busy_finishing_within(probe, 10.0, 45.0, 100), 24u);
  EXPECT_EQ(view.busy_finishing_within(probe, 10.0, 15.0, 100), 4u);  // 4 + 6 < 15: one each
  // Overrun by more than the window leaves room for: they no longer count.
  EXPECT_EQ(view.busy_finishing_within(probe, 100.0, 45.0, 100), 0u);
  EXPECT_EQ(view.pass_over_ending_turn(probe), std::numeric_limits<std::size_t>::max());  // outside a decision
}

TEST(scheduler_view, counts_workers_before_and_past_their_predicted_end_by_how_soon_they_free) {
  auto core = fast_and_slow_fleet();
  // Two fast workers predicted to free at 6 s, two at 10 s.
  for (int i = 0; i < 2; ++i) core.submit(make_task("early" + std::to_string(i)), 0);
  auto placed = placement(core.schedule(0));
  for (int i = 0; i < 2; ++i) core.submit(make_task("late" + std::to_string(i)), 4);
  for (const auto& p : placement(core.schedule(4))) placed.insert(p);
  ASSERT_EQ(placed.size(), 4u);
  for (const auto& [task_id, worker] : placed) EXPECT_EQ(worker.rfind("fast", 0), 0u);
  scheduler_view view{core};
  auto probe = make_task("probe");  // 6 s on a fast worker
  // At 7 s: two are 1 s past (free in 1: 4 probes by 25 s), two free in 3 (3 probes each).
  EXPECT_EQ(view.busy_finishing_within(probe, 7.0, 25.0, 100), 14u);
  // At 20 s: 14 s and 10 s past: free in 14 (1 probe by 25 s) and in 10 (2 probes).
  EXPECT_EQ(view.busy_finishing_within(probe, 20.0, 25.0, 100), 6u);
  // At 26 s the first two are 20 s past (20 + 6 >= 25: out), the later two 16 s (16 + 6 < 25: one each).
  EXPECT_EQ(view.busy_finishing_within(probe, 26.0, 25.0, 100), 2u);
  EXPECT_EQ(view.busy_finishing_within(probe, 26.0, 25.0, 1), 1u);
}

TEST(scheduler_core, passes_over_the_tasks_that_busy_workers_will_serve_sooner) {
  auto core = fast_and_slow_fleet();
  for (int i = 0; i < 6; ++i) core.submit(make_task("t" + std::to_string(i)), 0);
  auto placed = placement(core.schedule(0));
  // Four go to the fast workers; the other two wait for them (12 s) rather
  // than take 60 s on the slow one, decided by one deferral, not two.
  EXPECT_EQ(placed.size(), 4u);
  EXPECT_EQ(placed.count("slow"), 0u);
  EXPECT_EQ(core.pending_count(), 2u);
  EXPECT_EQ(core.stats().deferrals, 1u);
}

TEST(scheduler_core, keeps_slow_workers_busy_while_the_queue_is_deep) {
  auto core = fast_and_slow_fleet();
  for (int i = 0; i < 200; ++i) core.submit(make_task("t" + std::to_string(i)), 0);
  // The first task left after the fast workers filled waits for them (each
  // finishes one every 6 s; the slow one needs 60 s), but with 200 queued the
  // four fast workers cannot serve everything sooner: the slow worker takes
  // the first task that no fast worker is expected to finish within 45 s
  // (0.75 x its 60 s).
  auto placed = placement(core.schedule(0));
  EXPECT_EQ(placed.size(), 5u);
  EXPECT_EQ(core.stats().deferrals, 1u);
  EXPECT_FALSE(placed.count("t4"));
  for (const auto& [task_id, worker] : placed) {
    if (worker == "slow") {
      EXPECT_EQ(task_id, "t28");  // t4..t27: six for each fast worker
    }
  }
}

namespace {
// One single-slot worker that just ran "bert" (warm); the head of the queue is
// a longer "t5" task, behind it a "bert" task of the same priority.
scheduler_core core_with_bert_warm(scheduler_config config) {
  config.max_tasks_per_worker = 1;
  config.shortest_first = false;  // the longer t5 task heads the queue
  config.keep_explanations = 8;
  scheduler_core core(config);
  core.add_worker(cpu_worker("w", "cpu", 64, 32, 1));
  core.submit(make_task("warmup", {}, 0, 0, "bert"), 0);
  core.schedule(0);
  core.record_result(success_of("warmup", "w", 10, "bert"), 10);
  auto t5 = make_task("t5-long", {}, 0, 0, "t5");
  t5.batch_size = 64;  // predicted longer: the head of the queue
  core.submit(t5, 10);
  core.submit(make_task("bert-next", {}, 0, 0, "bert"), 10);
  return core;
}
} // namespace

TEST(scheduler_core, a_task_whose_model_is_warm_goes_ahead_of_the_head_task) {
  auto core = core_with_bert_warm(scheduler_config{});
  const auto placed = core.schedule(10);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "bert-next");
  EXPECT_EQ(core.stats().affinity.lookaheads, 1u);
  EXPECT_EQ(core.stats().affinity.same_model_hits, 1u);  // bert-next; the warm-up started cold
  auto why = core.explanation("bert-next");
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->outcome, "placed: its model is warm on w, ahead of t5-long");
}

TEST(scheduler_core, affinity_lookahead_passes_the_head_task_over_a_bounded_number_of_times) {
  scheduler_config once;
  once.affinity_max_skips = 1;
  auto core = core_with_bert_warm(once);
  ASSERT_EQ(core.schedule(10)[0].task_id, "bert-next");
  core.submit(make_task("bert-third", {}, 0, 0, "bert"), 11);
  core.record_result(success_of("bert-next", "w", 10, "bert"), 20);
  const auto placed = core.schedule(20);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "t5-long");  // skipped once already
}

TEST(scheduler_core, affinity_lookahead_is_off_without_task_affinity) {
  scheduler_config off;
  off.enable_task_affinity = false;
  auto core = core_with_bert_warm(off);
  EXPECT_EQ(core.schedule(10)[0].task_id, "t5-long");
  EXPECT_EQ(core.stats().affinity.lookaheads, 0u);
}
