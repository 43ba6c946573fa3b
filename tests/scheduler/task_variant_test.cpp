// Task variants (model/task_variant.hpp): what a task's id says beyond its
// model -- the dataset of an evaluation, the test of a suite -- learned beside
// the model and answering before it, in the predictor and in the queue order.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/model/task_variant.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

using namespace dtf;
using namespace dtf::testing;

TEST(task_variant, is_the_model_and_the_id_with_its_digit_runs_left_out) {
  EXPECT_EQ(task_variant("llama-2-7b", "eval012-llama-2-7b-mmlu-b32"), "llama-2-7b|eval#-llama-#-#b-mmlu-b#");
  // Repeats and shards of one test are one variant; another dataset is another.
  EXPECT_EQ(task_variant("bert", "run3-bert-glue-shard-1"), task_variant("bert", "run17-bert-glue-shard-12"));
  EXPECT_NE(task_variant("bert", "run3-bert-glue"), task_variant("bert", "run3-bert-squad"));
  // An id of digits alone (or none) names no variant.
  EXPECT_EQ(task_variant("bert", "12345"), "");
  EXPECT_EQ(task_variant("bert", ""), "");
  EXPECT_EQ(task_variant("bert", "t1"), "bert|t#");
}

namespace {
task eval(std::string id, int batch = 8) {
  task t = make_task(std::move(id), {device_kind::cuda}, 0, 0, "llama");
  t.type = task_type::benchmark;
  t.batch_size = batch;
  return t;
}
void learn(execution_predictor& p, const std::string& id, const worker_capability& w, double seconds) {
  p.record("llama", task_type::benchmark, 8, w, seconds, true, task_variant("llama", id));
}
} // namespace

TEST(execution_predictor_variants, a_variants_own_runs_answer_before_its_models) {
  execution_predictor p;
  const auto a100 = cuda_worker("a", "A100", 80, 8.0);
  for (int k = 0; k < 3; ++k) {
    learn(p, "e" + std::to_string(k) + "-llama-mmlu", a100, 1000.0);
    learn(p, "e" + std::to_string(k) + "-llama-arc", a100, 100.0);
  }
  const auto mmlu = p.predict(eval("e9-llama-mmlu"), a100);
  const auto arc = p.predict(eval("e9-llama-arc"), a100);
  EXPECT_EQ(mmlu.level, prediction_level::exact);
  EXPECT_NEAR(mmlu.seconds, 1000.0, 1e-6);
  EXPECT_NEAR(arc.seconds, 100.0, 1e-6);
  // A variant never run answers from the model's runs (both variants').
  EXPECT_NEAR(p.predict(eval("e9-llama-gsm8k"), a100).seconds, 550.0, 1e-6);
  // Without a variant learned the answers are the model's, as before.
  execution_predictor model_only;
  for (int k = 0; k < 3; ++k) {
    model_only.record("llama", task_type::benchmark, 8, a100, 1000.0);
    model_only.record("llama", task_type::benchmark, 8, a100, 100.0);
  }
  EXPECT_NEAR(model_only.predict(eval("e9-llama-mmlu"), a100).seconds, 550.0, 1e-6);
  // The queue's worker-independent estimate is the variant's too.
  EXPECT_GT(p.predict(eval("e9-llama-mmlu")).seconds, 5.0 * p.predict(eval("e9-llama-arc")).seconds);
  EXPECT_TRUE(p.knows_variant(eval("e9-llama-mmlu")));
  EXPECT_FALSE(p.knows_variant(eval("e9-llama-gsm8k")));
}

TEST(execution_predictor_variants, a_variant_run_on_one_device_keeps_its_size_on_another) {
  execution_predictor p;
  const auto a100 = cuda_worker("a", "A100", 80, 8.0);
  const auto t4 = cuda_worker("t", "T4", 16, 7.5);
  for (int k = 0; k < 3; ++k) {
    learn(p, "e" + std::to_string(k) + "-llama-mmlu", a100, 1000.0);
    learn(p, "e" + std::to_string(k) + "-llama-arc", a100, 100.0);
    learn(p, "e" + std::to_string(k) + "-llama-arc", t4, 400.0);
    learn(p, "e" + std::to_string(k) + "-llama-mmlu", t4, 4000.0);
  }
  learn(p, "e5-llama-hellaswag", a100, 500.0);
  // hellaswag (500 s on the A100, where the model's runs average 550 s) never ran on the T4: the model's T4
  // time scaled by hellaswag's size against the model's on the A100 -- 2,200 s x 500 / 550 (truth: 2,000 s).
  const auto model_t4 = p.predict(eval("e9-llama-gsm8k"), t4).seconds;
  EXPECT_NEAR(model_t4, 2200.0, 1e-6);
  const auto a100_mean = p.predict(eval("e9-llama-gsm8k"), a100).seconds;
  EXPECT_NEAR(p.predict(eval("e9-llama-hellaswag"), t4).seconds, model_t4 * 500.0 / a100_mean, 1e-6);
}

TEST(execution_predictor_variants, variants_do_not_move_a_devices_batch_growth) {
  // The device's slopes pool models; a variant's runs are its model's already.
  execution_predictor with, without;
  const auto a100 = cuda_worker("a", "A100", 80, 8.0);
  for (int batch : {1, 4, 16, 64}) {
    const double s = 10.0 * batch;
    with.record("llama", task_type::benchmark, batch, a100, s, true, task_variant("llama", "x-llama-mmlu"));
    with.record("llama", task_type::benchmark, batch, a100, 3.0 * s, true, task_variant("llama", "x-llama-arc"));
    without.record("llama", task_type::benchmark, batch, a100, s);
    without.record("llama", task_type::benchmark, batch, a100, 3.0 * s);
  }
  const auto batch_128 = [](const std::string& id) {
    auto t = eval(id, 128);
    return t;
  };
  // The model's answer at an unrun batch is the same; the variants' follow their own points.
  EXPECT_DOUBLE_EQ(with.predict(batch_128("x-llama-gsm8k"), a100).seconds,
                   without.predict(batch_128("x-llama-gsm8k"), a100).seconds);
  EXPECT_EQ(with.predict(batch_128("x-llama-mmlu"), a100).level, prediction_level::model_batch_scaled);
  EXPECT_NEAR(3.0 * with.predict(batch_128("x-llama-mmlu"), a100).seconds,
              with.predict(batch_128("x-llama-arc"), a100).seconds, 1e-3);
}

TEST(execution_predictor_variants, a_model_named_like_a_variant_stays_a_model_through_a_snapshot) {
  // Model "llama|x-llama-mmlu" (a name may hold a '|') beside model llama's variant of the same spelling.
  execution_predictor p;
  const auto a100 = cuda_worker("a", "A100", 80, 8.0);
  const std::string look_alike = task_variant("llama", "x-llama-mmlu");
  for (int batch : {1, 4, 16, 64}) {
    p.record("llama", task_type::benchmark, batch, a100, 10.0 * batch, true, look_alike);  // the variant
    p.record(look_alike, task_type::benchmark, batch, a100, 2.0 * batch);                 // the model
  }
  const auto snap = p.snapshot();
  std::size_t variant_entries = 0, look_alike_model_entries = 0;
  for (const auto& e : snap.entries) {
    if (e.variant) ++variant_entries;
    if (!e.variant && e.model == look_alike) ++look_alike_model_entries;
  }
  EXPECT_GT(variant_entries, 0u);
  EXPECT_GT(look_alike_model_entries, 0u);
  auto named = eval("x", 128);
  named.model = look_alike;  // id "x": the model's own variant, never learned
  const auto mmlu = eval("x-llama-mmlu", 128);
  // Two names, two answers (2 s and 10 s per unit), before and after the snapshot's round trip.
  execution_predictor copy;
  copy.load(snap);
  for (const auto* q : {&p, &copy}) {
    EXPECT_LT(q->predict(named, a100).seconds, 0.5 * q->predict(mmlu, a100).seconds);
    EXPECT_TRUE(q->knows_variant(mmlu));
    EXPECT_FALSE(q->knows_variant(named));
  }
  EXPECT_DOUBLE_EQ(copy.predict(named, a100).seconds, p.predict(named, a100).seconds);
  EXPECT_DOUBLE_EQ(copy.predict(mmlu, a100).seconds, p.predict(mmlu, a100).seconds);
  EXPECT_EQ(copy.snapshot().entries.size(), snap.entries.size());
}

namespace {
// One single-slot worker that has run the model once (variant "warm", 10 s);
// then two MMLU and two ARC evaluations of it are submitted at once -- queued
// alike by the model's time -- and each runs its variant's time (1,000 / 10 s).
std::vector<std::string> evaluation_order(const std::string& policy) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.enable_task_affinity = false;
  scheduler_core core(config, make_policy(policy, config));
  core.add_worker(cpu_worker("w", "cpu", 64, 32));
  core.submit(make_task("warm-llama", {}, 0, 0, "llama"), 0);
  double now = 0;
  auto placed = core.schedule(now);
  EXPECT_EQ(placed.size(), 1u);
  now += 10.0;
  core.record_result(success_of("warm-llama", "w", 10.0, "llama"), now);
  for (std::string id : {"e1-llama-mmlu", "e2-llama-arc", "e3-llama-mmlu", "e4-llama-arc"})
    core.submit(make_task(id, {}, 0, 0, "llama"), now);
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    placed = core.schedule(now);
    EXPECT_EQ(placed.size(), 1u);
    if (placed.size() != 1) break;
    const auto& id = placed[0].task_id;
    order.push_back(id);
    const double run_s = id.ends_with("mmlu") ? 1000.0 : 10.0;
    now += run_s;
    core.record_result(success_of(id, "w", run_s, "llama"), now);
  }
  return order;
}
} // namespace

// Once an MMLU evaluation has run, the other one queued by the model's time
// moves to its variant's place, behind the short ARC ones (shortest first);
// the baselines keep submission order.
TEST(scheduler_core, a_task_queued_by_its_models_time_takes_its_place_from_its_variants) {
  EXPECT_EQ(evaluation_order("intelligent"),
            (std::vector<std::string>{"e1-llama-mmlu", "e2-llama-arc", "e4-llama-arc", "e3-llama-mmlu"}));
  EXPECT_EQ(evaluation_order("least_loaded"),
            (std::vector<std::string>{"e1-llama-mmlu", "e2-llama-arc", "e3-llama-mmlu", "e4-llama-arc"}));
}

// A journal's history (dtf run --journal) teaches each variant its own time:
// the second run predicts each evaluation from its own earlier runs.
TEST(scheduler_core, history_teaches_each_variant_its_own_time) {
  scheduler_config config;
  scheduler_core core(config);
  const auto w = cpu_worker("w", "cpu", 64, 32);
  core.add_worker(w);
  core.learn_from_history(success_of("run1-llama-mmlu", "w", 1000.0, "llama"), w);
  core.learn_from_history(success_of("run1-llama-arc", "w", 100.0, "llama"), w);
  std::map<std::string, double> predicted_s;
  double now = 0;
  for (std::string id : {"run2-llama-mmlu", "run2-llama-arc", "run2-llama-gsm8k"}) {
    core.submit(make_task(id, {}, 0, 0, "llama"), now);
    const auto placed = core.schedule(now);
    EXPECT_EQ(placed.size(), 1u);
    if (placed.size() != 1) return;
    predicted_s[id] = placed[0].predicted_duration_s;
    now += 1.0;
    core.record_result(success_of(id, "w", 1.0, "llama"), now);
  }
  EXPECT_NEAR(predicted_s["run2-llama-mmlu"], 1000.0, 1e-6);
  EXPECT_NEAR(predicted_s["run2-llama-arc"], 100.0, 1e-6);
  // A dataset the history never ran is predicted from the model's runs.
  EXPECT_GT(predicted_s["run2-llama-gsm8k"], 100.0);
  EXPECT_LT(predicted_s["run2-llama-gsm8k"], 1000.0);
}
