// Backup attempts: a task that overran its prediction on a slow worker also
// starts on a free fast one; the first success wins and the other is cancelled.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <cmath>

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

constexpr double slow_s = 600.0;  // bert-base on the slow worker, learned
constexpr double fast_s = 60.0;   // ... on the fast one
// A first attempt becomes overdue past the p99 of its prediction: the exact
// level's prior spread (sigma 0.4) before any error was learned.
const double overdue_at_s = slow_s * std::exp(prediction_spread::z99 * 0.4);

scheduler_config one_slot_config() {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.allow_deferral = false;  // b must start on the slow worker
  config.keep_explanations = 16;
  // Two tasks: 3 % of their slot time buys no copy. A copy may waste the
  // first attempt's time so far and its own: allow more than all slot time.
  config.backup_budget_fraction = 2.0;
  // These tests follow overdue attempts; the end-of-batch copies have theirs below.
  config.backup_to_faster_workers = false;
  return config;
}

task bert(std::string id) {
  auto t = make_task(std::move(id), {device_kind::cuda, device_kind::cpu}, 0.0, 0, "bert-base");
  t.timeout_s = 1e6;  // these tests are about stragglers, not timeouts
  return t;
}

// "fast" (a GPU) and "slow" (a CPU at a tenth of the speed), with history of
// bert-base on both: `a` runs on fast, `b` on slow (predicted 600 s there),
// then `a` finishes after 60 s.
scheduler_core core_with_b_on_the_slow_worker(scheduler_config config = one_slot_config(),
                                              std::string policy = "intelligent", bool history = true) {
  scheduler_core core(config, make_policy(policy, config));
  core.add_worker(cuda_worker("fast", "GPU", 32, 8.0));
  core.add_worker(cpu_worker("slow", "CPU", 64, 8, 0, 0.1));
  if (history) {
    core.learn_from_history(success_of("old1", "fast", fast_s, "bert-base"), core.workers()[0]);
    core.learn_from_history(success_of("old2", "slow", slow_s, "bert-base"), core.workers()[1]);
  }
  core.submit(bert("a"), 0.0);
  core.submit(bert("b"), 0.0);
  auto first = core.schedule(0.0);
  EXPECT_EQ(first.size(), 2u);
  for (const auto& a : first) {
    EXPECT_FALSE(a.backup);
    EXPECT_EQ(a.worker_id, a.task_id == "a" ? "fast" : "slow");
  }
  core.record_result(success_of("a", "fast", fast_s, "bert-base"), fast_s);
  return core;
}

} // namespace

TEST(backup_attempts, the_core_asks_to_be_woken_when_an_attempt_passes_the_p99_of_its_prediction) {
  auto core = core_with_b_on_the_slow_worker();
  EXPECT_TRUE(core.schedule(60.0).empty());
  ASSERT_TRUE(core.next_wakeup_s().has_value());
  EXPECT_NEAR(*core.next_wakeup_s(), overdue_at_s, 1e-6);
}

TEST(backup_attempts, an_attempt_that_overran_grossly_gets_a_backup_on_a_free_faster_worker) {
  auto core = core_with_b_on_the_slow_worker();
  EXPECT_TRUE(core.schedule(overdue_at_s - 10.0).empty());
  auto later = core.schedule(1600.0);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].task_id, "b");
  EXPECT_EQ(later[0].worker_id, "fast");
  EXPECT_TRUE(later[0].backup);
  EXPECT_GT(later[0].predicted_p90_s, later[0].predicted_duration_s);
  EXPECT_EQ(core.running_count(), 2u);
  EXPECT_EQ(core.stats().backups_started, 1u);
  auto why = core.explanation("b");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->outcome.find("backup: the attempt on slow has run"), std::string::npos) << why->outcome;
  // The p90 it carries and the log-normal one the decision weighed.
  const auto on_fast = core.predictor().predict(bert("c"), core.workers()[0]);
  EXPECT_NE(why->outcome.find("weighed at its log-normal p90 " +
                              std::to_string(core.predictor().spread().lognormal_p90_s(on_fast.seconds, on_fast.level))),
            std::string::npos)
      << why->outcome;
}

TEST(backup_attempts, the_first_success_wins_and_names_the_attempt_to_cancel) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1600.0).size(), 1u);
  const auto effect = core.record_result(success_of("b", "fast", 55.0, "bert-base"), 1655.0);
  ASSERT_TRUE(effect.cancel_on_worker.has_value());
  EXPECT_EQ(*effect.cancel_on_worker, "slow");
  EXPECT_FALSE(effect.still_running);
  EXPECT_EQ(core.running_count(), 0u);
  EXPECT_EQ(core.stats().backups_won, 1u);
  EXPECT_EQ(core.stats().tasks_by_status.at("succeeded"), 2u);
  EXPECT_DOUBLE_EQ(core.stats().backup_wasted_slot_s, 1655.0);  // the slow attempt's time
  // The slow worker's attempt ran 1655 s without finishing: learned as a
  // lower bound, so the next such task is no longer predicted at 600 s there.
  EXPECT_GE(core.predictor().predict(bert("c"), core.workers()[1]).seconds, 1655.0);
  // The cancelled attempt's report teaches nothing and changes no count.
  task_result cancelled = success_of("b", "slow", 1700.0, "bert-base");
  cancelled.status = task_status::cancelled;
  core.record_result(cancelled, 1700.0);
  EXPECT_EQ(core.stats().tasks_by_status.count("cancelled"), 0u);
  EXPECT_EQ(core.stats().workers[1].tasks_completed, 0u);
}

TEST(backup_attempts, a_copy_that_loses_counts_as_wasted_slot_time) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1600.0).size(), 1u);
  const auto effect = core.record_result(success_of("b", "slow", 1620.0, "bert-base"), 1620.0);
  ASSERT_TRUE(effect.cancel_on_worker.has_value());
  EXPECT_EQ(*effect.cancel_on_worker, "fast");
  EXPECT_DOUBLE_EQ(core.stats().backup_wasted_slot_s, 20.0);
  EXPECT_EQ(core.stats().backups_won, 0u);
}

TEST(backup_attempts, a_failed_attempt_leaves_the_task_to_its_other_attempt) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1600.0).size(), 1u);
  task_result failed = success_of("b", "slow", 1610.0, "bert-base");
  failed.status = task_status::failed;
  const auto effect = core.record_result(failed, 1610.0);
  EXPECT_TRUE(effect.still_running);
  EXPECT_FALSE(effect.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 1u);
  EXPECT_EQ(core.pending_count(), 0u);
  const auto done = core.record_result(success_of("b", "fast", 50.0, "bert-base"), 1650.0);
  EXPECT_FALSE(done.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 0u);
  EXPECT_EQ(core.stats().tasks_by_status.at("succeeded"), 2u);
}

TEST(backup_attempts, losing_the_first_attempts_worker_keeps_the_task_on_its_backup) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1600.0).size(), 1u);
  EXPECT_TRUE(core.remove_worker("slow").empty());  // nothing to requeue
  EXPECT_EQ(core.running_count(), 1u);
  EXPECT_EQ(core.pending_count(), 0u);
  const auto done = core.record_result(success_of("b", "fast", 50.0, "bert-base"), 1650.0);
  EXPECT_FALSE(done.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 0u);
}

TEST(backup_attempts, losing_the_backups_worker_keeps_the_first_attempt) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1600.0).size(), 1u);
  EXPECT_TRUE(core.remove_worker("fast").empty());
  EXPECT_EQ(core.running_count(), 1u);
  const auto done = core.record_result(success_of("b", "slow", 2000.0, "bert-base"), 2000.0);
  EXPECT_FALSE(done.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 0u);
}

TEST(backup_attempts, are_not_started_when_switched_off_or_for_baseline_policies) {
  auto off = one_slot_config();
  off.backup_attempts = false;
  auto core = core_with_b_on_the_slow_worker(off);
  EXPECT_TRUE(core.schedule(5000.0).empty());
  EXPECT_FALSE(core.next_wakeup_s().has_value());

  auto baseline = core_with_b_on_the_slow_worker(one_slot_config(), "least_loaded");
  EXPECT_TRUE(baseline.schedule(5000.0).empty());
}

TEST(backup_attempts, never_start_from_a_default_prediction) {
  // Without history of bert-base, b's 600 s "prediction" on the slow worker
  // is a guess: overrunning it says the guess was wrong, not that b straggles.
  scheduler_core core(one_slot_config());
  core.add_worker(cuda_worker("fast", "GPU", 32, 8.0));
  core.add_worker(cpu_worker("slow", "CPU", 64, 8, 0, 0.1));
  core.submit(bert("a"), 0.0);
  core.submit(bert("b"), 0.0);
  ASSERT_EQ(core.schedule(0.0).size(), 2u);
  core.record_result(success_of("a", "fast", 60.0, "bert-base"), 60.0);
  EXPECT_TRUE(core.schedule(60.0).empty());
  EXPECT_FALSE(core.next_wakeup_s().has_value());
  EXPECT_TRUE(core.schedule(100000.0).empty());
  EXPECT_EQ(core.stats().backups_started, 0u);
}

namespace {
// Errors at the exact level spread far too wide to bet on (prediction_spread::noisy).
void make_the_exact_level_noisy(scheduler_core& core) {
  for (int k = 0; k < 40; ++k)
    core.predictor().record_outcome(prediction{10.0, prediction_level::exact, 1, 0.0}, k % 2 == 0 ? 1e4 : 1e-2);
  ASSERT_TRUE(core.predictor().spread().noisy(prediction_level::exact));
}
} // namespace

TEST(backup_attempts, never_start_where_the_prediction_level_is_noisy) {
  // b's prediction came from its model's history, at a level whose errors
  // turned noisy while it ran: at 1600 s (a copy otherwise: see above) a long
  // run there says nothing about the worker.
  auto core = core_with_b_on_the_slow_worker();
  make_the_exact_level_noisy(core);
  EXPECT_TRUE(core.schedule(1600.0).empty());
  EXPECT_TRUE(core.schedule(1e12).empty());
  EXPECT_EQ(core.stats().backups_started, 0u);

  // Noisy before b started: not watched at all.
  scheduler_core noisy(one_slot_config());
  noisy.add_worker(cuda_worker("fast", "GPU", 32, 8.0));
  noisy.add_worker(cpu_worker("slow", "CPU", 64, 8, 0, 0.1));
  noisy.learn_from_history(success_of("old1", "fast", fast_s, "bert-base"), noisy.workers()[0]);
  noisy.learn_from_history(success_of("old2", "slow", slow_s, "bert-base"), noisy.workers()[1]);
  make_the_exact_level_noisy(noisy);
  noisy.submit(bert("a"), 0.0);
  noisy.submit(bert("b"), 0.0);
  ASSERT_EQ(noisy.schedule(0.0).size(), 2u);
  noisy.record_result(success_of("a", "fast", fast_s, "bert-base"), fast_s);
  EXPECT_TRUE(noisy.schedule(fast_s).empty());
  EXPECT_FALSE(noisy.next_wakeup_s().has_value());
  EXPECT_TRUE(noisy.schedule(1e12).empty());
  EXPECT_EQ(noisy.stats().backups_started, 0u);
}

TEST(backup_attempts, stay_within_their_budget_of_slot_time) {
  // A copy started at T may waste what b ran so far (T - 0) and its own p90
  // (about 100 s): at 1600 s that is about 1,700 s against 101 % of the 1,660
  // slot-seconds used (1,677 s): no copy; at 8000 s, 8,100 s against 8,141 s fits.
  auto config = one_slot_config();
  config.backup_budget_fraction = 1.01;
  auto core = core_with_b_on_the_slow_worker(config);
  EXPECT_TRUE(core.schedule(1600.0).empty());
  const auto later = core.schedule(8000.0);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_TRUE(later[0].backup);
  EXPECT_LE(8000.0 + later[0].predicted_p90_s, 1.01 * 8060.0);
}

TEST(backup_attempts, never_fit_a_budget_that_grows_slower_than_the_straggler_runs) {
  // One attempt running and a 3 % budget: the charge (its time so far) grows
  // faster than the budget, so no copy and no wake-up for one.
  auto config = one_slot_config();
  config.backup_budget_fraction = 0.03;
  auto core = core_with_b_on_the_slow_worker(config);
  EXPECT_TRUE(core.schedule(1600.0).empty());
  EXPECT_FALSE(core.next_wakeup_s().has_value());
  EXPECT_TRUE(core.schedule(100000.0).empty());
}

TEST(backup_attempts, wait_until_the_copy_could_not_only_tie) {
  // The copy's (log-normal) p90 (about 97 s) must be at most
  // backup_max_fraction of the time the attempt has run: with 1 % that is
  // from about 9,700 s on.
  auto config = one_slot_config();
  config.backup_max_fraction = 0.01;
  auto core = core_with_b_on_the_slow_worker(config);
  EXPECT_TRUE(core.schedule(1600.0).empty());
  ASSERT_TRUE(core.next_wakeup_s().has_value());
  const auto predicted = core.predictor().predict(bert("c"), core.workers()[0]);
  const double p90 = core.predictor().spread().lognormal_p90_s(predicted.seconds, predicted.level);
  EXPECT_NEAR(*core.next_wakeup_s(), p90 / 0.01, 1e-6);
  EXPECT_TRUE(core.schedule(p90 / 0.01 - 1.0).empty());
  EXPECT_EQ(core.schedule(p90 / 0.01 + 1.0).size(), 1u);
}

TEST(backup_attempts, hold_a_racing_copy_s_charge_against_the_budget_of_the_next) {
  // b runs on slow1 from 0, c on slow2 from 500 (x1 and x2 held the fast
  // workers then). b's copy starts at 1600, charged about 1,700 s against 70 %
  // of the slot time used. At 2100 c's copy would fit the budget alone (about
  // 1,700 s against 70 % of about 4,400 s) but not with b's copy still racing
  // (3,400 s). Before, the budget saw only realized waste: two copies started
  // in different calls could overrun it together (a run at 11 % of busy slot
  // time against a 3 % budget in the scenario families).
  auto config = one_slot_config();
  config.backup_budget_fraction = 0.7;
  scheduler_core core(config, make_policy("intelligent", config));
  core.add_worker(cuda_worker("fast1", "GPU", 32, 8.0));
  core.add_worker(cuda_worker("fast2", "GPU", 32, 8.0));
  core.add_worker(cpu_worker("slow1", "CPU", 64, 8, 0, 0.1));
  core.add_worker(cpu_worker("slow2", "CPU", 64, 8, 0, 0.1));
  core.learn_from_history(success_of("old1", "fast1", fast_s, "bert-base"), core.workers()[0]);
  core.learn_from_history(success_of("old2", "slow1", slow_s, "bert-base"), core.workers()[2]);
  for (const char* id : {"a1", "a2", "b"}) core.submit(bert(id), 0.0);
  EXPECT_EQ(placement(core.schedule(0.0)), (std::map<std::string, std::string>{{"a1", "fast1"}, {"a2", "fast2"}, {"b", "slow1"}}));
  core.record_result(success_of("a1", "fast1", fast_s, "bert-base"), fast_s);
  core.record_result(success_of("a2", "fast2", fast_s, "bert-base"), fast_s);
  for (const char* id : {"x1", "x2", "c"}) core.submit(bert(id), 500.0);
  EXPECT_EQ(placement(core.schedule(500.0)), (std::map<std::string, std::string>{{"c", "slow2"}, {"x1", "fast1"}, {"x2", "fast2"}}));
  core.record_result(success_of("x1", "fast1", fast_s, "bert-base"), 500.0 + fast_s);
  core.record_result(success_of("x2", "fast2", fast_s, "bert-base"), 500.0 + fast_s);
  const auto at_1600 = core.schedule(1600.0);
  ASSERT_EQ(at_1600.size(), 1u);
  EXPECT_EQ(at_1600[0].task_id, "b");
  EXPECT_TRUE(at_1600[0].backup);
  EXPECT_TRUE(core.schedule(2100.0).empty());  // c's copy waits while b's races
}

// At the end of a batch (nothing pending, nothing arriving) an attempt need
// not be overdue: b, predicted 600 s on the slow worker, is expected to need
// about 590 s more after 60 s, more than twice the fast worker's p90 for it
// (about 100 s), so it also starts there at once.
TEST(backup_attempts, at_the_end_of_a_batch_a_long_attempt_on_a_slow_worker_also_starts_on_a_free_fast_one) {
  auto config = one_slot_config();
  config.backup_to_faster_workers = true;
  auto core = core_with_b_on_the_slow_worker(config);
  const auto at_60 = core.schedule(fast_s);
  ASSERT_EQ(at_60.size(), 1u);
  EXPECT_EQ(at_60[0].task_id, "b");
  EXPECT_EQ(at_60[0].worker_id, "fast");
  EXPECT_TRUE(at_60[0].backup);
  EXPECT_EQ(core.stats().backups_started, 1u);
  auto why = core.explanation("b");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->outcome.find("is expected to need"), std::string::npos) << why->outcome;
  EXPECT_NE(why->outcome.find("(the end of a batch)"), std::string::npos) << why->outcome;
}

TEST(backup_attempts, at_the_end_of_a_batch_a_copy_needs_the_model_s_own_history_and_the_budget) {
  auto config = one_slot_config();
  config.backup_to_faster_workers = true;
  // b placed on a guess: its overrun says the guess was wrong.
  auto guessed = core_with_b_on_the_slow_worker(config, "intelligent", false);
  EXPECT_TRUE(guessed.schedule(fast_s).empty());
  // Two tasks' slot time (about 120 s) at 3 % cannot pay for b's 60 s so far and the copy.
  config.backup_budget_fraction = 0.03;
  auto poor = core_with_b_on_the_slow_worker(config);
  EXPECT_TRUE(poor.schedule(fast_s).empty());
  // Nor a baseline policy.
  config.backup_budget_fraction = 2.0;
  auto baseline = core_with_b_on_the_slow_worker(config, "least_loaded");
  EXPECT_TRUE(baseline.schedule(fast_s).empty());
}

// While submissions keep arriving, a free fast worker is the next arrival's:
// no copy. Here CPU-only tasks arrive every 2 s (61-71 s) on a second CPU
// with two slots; the one that ends at 72 finds them still arriving, the last
// one's end at 150 finds them over (stopped, and for longer than the 71 s
// they spanned): b's copy.
TEST(backup_attempts, no_copy_on_a_faster_worker_while_submissions_keep_arriving) {
  auto config = one_slot_config();
  config.backup_to_faster_workers = true;
  auto core = core_with_b_on_the_slow_worker(config);
  core.add_worker(cpu_worker("cpu2", "CPU only", 64, 8, 2, 0.1));
  for (int k = 0; k <= 5; ++k) {
    const double at = 61.0 + 2.0 * k;
    if (k == 0) core.record_result(success_of("a", "fast", fast_s, "bert-base"), fast_s);
    core.submit(make_task("s" + std::to_string(k), {device_kind::cpu}, 0.0, 0, "tiny-cpu"), at);
    const auto placed = core.schedule(at);
    ASSERT_EQ(placement(placed), (std::map<std::string, std::string>{{"s" + std::to_string(k), "cpu2"}}));
    if (k < 4) core.record_result(success_of("s" + std::to_string(k), "cpu2", 0.5, "tiny-cpu"), at + 0.5);
  }
  core.record_result(success_of("s4", "cpu2", 3.0, "tiny-cpu"), 72.0);
  EXPECT_TRUE(core.schedule(72.0).empty());  // arriving every 2 s
  // Quiet by 80, but only the call after a result weighs such copies (when a
  // caller calls must not change what they decide).
  EXPECT_TRUE(core.schedule(80.0).empty());
  // Submissions spanned 0-71 s: a lull shorter than that may end (an online
  // stream's night), so the end of a batch is no sooner than 142 s.
  core.record_result(success_of("s5", "cpu2", 79.0, "tiny-cpu"), 150.0);
  const auto quiet = core.schedule(150.0);
  ASSERT_EQ(quiet.size(), 1u);
  EXPECT_EQ(quiet[0].task_id, "b");
  EXPECT_EQ(quiet[0].worker_id, "fast");
  EXPECT_TRUE(quiet[0].backup);
}

// A lull is not the end of a batch: CPU-only tasks arrived every 2 s from 61
// to 71 s after a and b at 0, so a result 19 s after the last (three of their
// gaps, no rate any more) still falls inside a stream's possible lull -- as a
// night between working days -- and b gets no copy on the fast GPU.
TEST(backup_attempts, no_copy_on_a_faster_worker_in_a_lull_shorter_than_the_submissions_span) {
  auto config = one_slot_config();
  config.backup_to_faster_workers = true;
  auto core = core_with_b_on_the_slow_worker(config);
  core.add_worker(cpu_worker("cpu2", "CPU only", 64, 8, 2, 0.1));
  core.record_result(success_of("a", "fast", fast_s, "bert-base"), fast_s);
  for (int k = 0; k <= 5; ++k) {
    const double at = 61.0 + 2.0 * k;
    core.submit(make_task("s" + std::to_string(k), {device_kind::cpu}, 0.0, 0, "tiny-cpu"), at);
    ASSERT_EQ(placement(core.schedule(at)), (std::map<std::string, std::string>{{"s" + std::to_string(k), "cpu2"}}));
    core.record_result(success_of("s" + std::to_string(k), "cpu2", 0.5, "tiny-cpu"), at + 0.5);
  }
  EXPECT_TRUE(core.schedule(90.0).empty());  // the call after the last result: quiet 19 s after 71 s of them
}

// One copy per first attempt: a copy that failed is not started again.
TEST(backup_attempts, a_failed_copy_on_a_faster_worker_is_not_repeated) {
  auto config = one_slot_config();
  config.backup_to_faster_workers = true;
  auto core = core_with_b_on_the_slow_worker(config);
  ASSERT_EQ(core.schedule(fast_s).size(), 1u);
  task_result failed = success_of("b", "fast", 5.0, "bert-base");
  failed.status = task_status::failed;
  EXPECT_TRUE(core.record_result(failed, fast_s + 5.0).still_running);
  EXPECT_TRUE(core.schedule(fast_s + 5.0).empty());
  EXPECT_EQ(core.stats().backups_started, 1u);
}
