// The predictor learns how fast each device is relative to a model's mean, so
// a model never run on a device is predicted from how that device runs others.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
task bench(std::string model) {
  task t = make_task("t", {device_kind::cuda, device_kind::cpu}, 0, 0, std::move(model));
  t.batch_size = 8;
  return t;
}
} // namespace

TEST(execution_predictor_device_ratio, predicts_an_unseen_model_device_pair_from_the_devices_ratio) {
  execution_predictor p;
  auto gpu = cuda_worker("g", "V100", 32, 7.0);
  auto cpu = cpu_worker("c", "Xeon", 64, 20);
  // resnet50 runs 20x slower on the CPU than on the GPU.
  for (int i = 0; i < 3; ++i) {
    p.record("resnet50", task_type::benchmark, 8, gpu, 10.0);
    p.record("resnet50", task_type::benchmark, 8, cpu, 200.0);
  }
  // vit has only run on the GPU; on the CPU it is predicted many times slower.
  p.record("vit-base-patch16-224", task_type::benchmark, 8, gpu, 30.0);
  const auto on_cpu = p.predict(bench("vit-base-patch16-224"), cpu);
  EXPECT_EQ(on_cpu.level, prediction_level::model_type_scaled);
  EXPECT_GT(on_cpu.seconds, 5 * 30.0);
  // A device seen with the model keeps its own history.
  EXPECT_EQ(p.predict(bench("vit-base-patch16-224"), gpu).level, prediction_level::exact);
}

TEST(execution_predictor_device_ratio, ratios_survive_a_snapshot) {
  execution_predictor p;
  auto gpu = cuda_worker("g", "V100", 32, 7.0);
  auto cpu = cpu_worker("c", "Xeon", 64, 20);
  p.record("resnet50", task_type::benchmark, 8, gpu, 10.0);
  p.record("resnet50", task_type::benchmark, 8, cpu, 200.0);
  p.record("bert-base-uncased", task_type::benchmark, 8, gpu, 30.0);
  execution_predictor copy;
  copy.load(p.snapshot());
  EXPECT_DOUBLE_EQ(copy.predict(bench("bert-base-uncased"), cpu).seconds,
                   p.predict(bench("bert-base-uncased"), cpu).seconds);
}
