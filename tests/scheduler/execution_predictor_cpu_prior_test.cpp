// A CPU package no result speaks for is not taken for a GPU: a task that may
// run on a GPU is predicted slower there until the CPU shows otherwise, and a
// run that is still going (or was cut off) raises the device's ratio.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
task model_task(std::string model, std::vector<device_kind> hardware = {device_kind::cuda, device_kind::cpu}) {
  task t = make_task("t", std::move(hardware), 0, 0, std::move(model));
  t.batch_size = 8;
  return t;
}
} // namespace

TEST(execution_predictor_cpu_prior, an_untried_cpu_is_slower_than_a_gpu_only_for_tasks_that_may_use_a_gpu) {
  execution_predictor p;
  const auto gpu = cuda_worker("g", "V100", 32, 7.0);
  const auto cpu = cpu_worker("c", "Xeon", 64, 20);
  // Nothing learned: a default answer on both, the CPU's 30x the GPU's.
  const auto gpu_guess = p.predict(model_task("resnet50"), gpu);
  const auto cpu_guess = p.predict(model_task("resnet50"), cpu);
  EXPECT_EQ(cpu_guess.level, prediction_level::default_estimate);
  EXPECT_DOUBLE_EQ(cpu_guess.seconds, 30.0 * gpu_guess.seconds);
  // A task that runs on CPUs only is not compared with a GPU: no prior.
  EXPECT_DOUBLE_EQ(p.predict(model_task("resnet50", {device_kind::cpu}), cpu).seconds, gpu_guess.seconds);
  // The model ran on the GPU: still a guess for the CPU, still 30x.
  p.record("resnet50", task_type::benchmark, 8, gpu, 10.0);
  EXPECT_EQ(p.predict(model_task("resnet50"), cpu).level, prediction_level::model_type);
  EXPECT_DOUBLE_EQ(p.predict(model_task("resnet50"), cpu).seconds, 300.0);
  // Once it ran on the CPU, the CPU's own history answers.
  p.record("resnet50", task_type::benchmark, 8, cpu, 40.0);
  EXPECT_DOUBLE_EQ(p.predict(model_task("resnet50"), cpu).seconds, 40.0);
}

TEST(execution_predictor_cpu_prior, another_familys_speed_on_the_cpu_does_not_make_it_fast_for_this_one) {
  execution_predictor p;
  const auto gpu = cuda_worker("g", "V100", 32, 7.0);
  const auto cpu = cpu_worker("c", "Xeon", 64, 20);
  // A small BERT runs as fast on the CPU as on the GPU ...
  for (int i = 0; i < 3; ++i) {
    p.record("bert-tiny", task_type::benchmark, 8, gpu, 10.0);
    p.record("bert-tiny", task_type::benchmark, 8, cpu, 10.0);
  }
  // ... which says nothing of a vision model the CPU never ran.
  p.record("vit-base-patch16-224", task_type::benchmark, 8, gpu, 30.0);
  const auto vit = p.predict(model_task("vit-base-patch16-224"), cpu);
  EXPECT_EQ(vit.level, prediction_level::model_type_scaled);
  EXPECT_GE(vit.seconds, 30.0 * 30.0 * 0.99);
  // Nor does its own family's: CPU:GPU ratios grow with model size within a
  // family, so a tiny BERT's 1x leaves a roberta-base at the prior.
  p.record("roberta-base", task_type::benchmark, 8, gpu, 20.0);
  const auto roberta = p.predict(model_task("roberta-base"), cpu);
  EXPECT_EQ(roberta.level, prediction_level::model_type_scaled);
  EXPECT_GE(roberta.seconds, 30.0 * 20.0 * 0.99);
  // Nor its family's CPU times, for a model with no result anywhere.
  EXPECT_GE(p.predict(model_task("distilbert-base-uncased"), cpu).seconds,
            30.0 * p.predict(model_task("distilbert-base-uncased"), gpu).seconds * 0.99);
  // Its own run there answers.
  p.record("roberta-base", task_type::benchmark, 8, cpu, 25.0);
  EXPECT_DOUBLE_EQ(p.predict(model_task("roberta-base"), cpu).seconds, 25.0);
}

TEST(execution_predictor_cpu_prior, an_unknown_model_on_a_cpu_that_ran_only_small_ones_is_not_faster_than_the_gpus) {
  execution_predictor p;
  const auto gpu = cuda_worker("g", "V100", 32, 7.0);
  const auto cpu = cpu_worker("c", "Xeon", 64, 20);
  p.record("tiny", task_type::benchmark, 8, cpu, 1.0);
  p.record("big", task_type::benchmark, 8, gpu, 100.0);
  const auto on_cpu = p.predict(model_task("never-seen"), cpu);
  const auto on_gpu = p.predict(model_task("never-seen"), gpu);
  EXPECT_EQ(on_cpu.level, prediction_level::type_kind);
  EXPECT_GE(on_cpu.seconds, 30.0 * on_gpu.seconds * 0.99);
}

TEST(execution_predictor_cpu_prior, a_lower_bound_raises_the_devices_ratio_for_the_models_family) {
  execution_predictor p;
  const auto gpu = cuda_worker("g", "V100", 32, 7.0);
  const auto cpu = cpu_worker("c", "Xeon", 64, 20);
  p.record("bert-base-uncased", task_type::benchmark, 8, gpu, 10.0);
  p.record("bert-large-uncased", task_type::benchmark, 8, gpu, 20.0);
  p.record("bert-base-uncased", task_type::benchmark, 8, cpu, 20.0);  // the CPU looks 2x slower
  // For bert-large the prior holds (30x its GPU time), not bert-base's 2x.
  const double before = p.predict(model_task("bert-large-uncased"), cpu).seconds;
  EXPECT_NEAR(before, 30.0 * 20.0, 1.0);
  // Then a bert-base run on the CPU is cut off (or still runs) after 2,000 s.
  p.record_lower_bound("bert-base-uncased", task_type::benchmark, 8, cpu, 2000.0);
  EXPECT_GE(p.predict(model_task("bert-base-uncased"), cpu).seconds, 2000.0);
  // bert-large, never run there, is predicted from the raised ratio.
  EXPECT_GE(p.predict(model_task("bert-large-uncased"), cpu).seconds, 20.0 * 100.0 * 0.99);
}

TEST(execution_predictor_cpu_prior, the_cpus_ratios_for_several_models_of_the_type_lower_it_to_their_slower_quarter) {
  execution_predictor p;
  const auto gpu = cuda_worker("g", "V100", 32, 7.0);
  const auto cpu = cpu_worker("c", "Xeon", 64, 20);
  for (const auto* m : {"suite-a", "suite-b", "suite-c", "suite-d", "suite-new"})
    p.record(m, task_type::benchmark, 8, gpu, 10.0);
  // Models that run on CPUs only say nothing of how a CPU compares with a GPU.
  for (const auto* m : {"cpu-only-a", "cpu-only-b", "cpu-only-c"}) p.record(m, task_type::benchmark, 8, cpu, 5.0);
  EXPECT_NEAR(p.predict(model_task("suite-new"), cpu).seconds, 300.0, 1e-6);
  // Two models that also ran on the GPU are too few to speak for a third.
  p.record("suite-a", task_type::benchmark, 8, cpu, 20.0);  // 2x
  p.record("suite-b", task_type::benchmark, 8, cpu, 30.0);  // 3x
  EXPECT_NEAR(p.predict(model_task("suite-new"), cpu).seconds, 300.0, 1e-6);
  // Four do: an untried model is taken as slow there as the slower quarter
  // of them (ratios 1.5, 2, 3, 4: the third), not their mean.
  p.record("suite-c", task_type::benchmark, 8, cpu, 15.0);  // 1.5x
  p.record("suite-d", task_type::benchmark, 8, cpu, 40.0);  // 4x
  const auto lowered = p.predict(model_task("suite-new"), cpu);
  EXPECT_EQ(lowered.level, prediction_level::model_type_scaled);
  EXPECT_NEAR(lowered.seconds, 30.0, 1e-6);
  // Another type keeps the prior: a start-up bound test says nothing of a training run.
  p.record("suite-new", task_type::test, 8, gpu, 10.0);
  task as_test = model_task("suite-new");
  as_test.type = task_type::test;
  EXPECT_NEAR(p.predict(as_test, cpu).seconds, 300.0, 1e-6);
  // A snapshot carries the evidence.
  execution_predictor copy;
  copy.load(p.snapshot());
  EXPECT_NEAR(copy.predict(model_task("suite-new"), cpu).seconds, 30.0, 1e-6);
  EXPECT_EQ(copy.snapshot().cpu_ratios.size(), 4u);
}

TEST(execution_predictor_cpu_prior, the_cpus_evidence_never_raises_it_and_a_lower_bound_counts) {
  execution_predictor p;
  const auto gpu = cuda_worker("g", "V100", 32, 7.0);
  const auto cpu = cpu_worker("c", "Xeon", 64, 20);
  for (const auto* m : {"suite-a", "suite-b", "suite-c", "suite-new"}) p.record(m, task_type::benchmark, 8, gpu, 10.0);
  for (const auto* m : {"suite-a", "suite-b", "suite-c"}) p.record(m, task_type::benchmark, 8, cpu, 12.0);  // 1.2x
  EXPECT_NEAR(p.predict(model_task("suite-new"), cpu).seconds, 12.0, 1e-6);
  // suite-c's next run there is cut off at 5,000 s: 500x, the slower quarter
  // now -- the prior returns to 30x, not above (the device's ratio does that).
  p.record_lower_bound("suite-c", task_type::benchmark, 8, cpu, 5000.0);
  const double after = p.predict(model_task("suite-new"), cpu).seconds;
  EXPECT_GE(after, 300.0 - 1e-6);
}
