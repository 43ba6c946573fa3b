// execution_predictor::change_stamp: a prediction's stamp changes with every
// result that could change it, and stays put for results that cannot.
#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>
#include <vector>

using namespace dtf;
using namespace dtf::testing;

namespace {
struct stamped {
  prediction answer;
  std::uint64_t stamp;
};
/// The prediction and its stamp, taken at the level it answered at (or at `level`).
stamped predict(const execution_predictor& p, const std::string& model, task_type type, int batch,
                const worker_capability& w, std::optional<prediction_level> level = std::nullopt) {
  const auto q = p.prepare(model, type, batch);
  const auto device = p.find_device(w.name);
  const auto answer = p.predict(q, device, w.kind, clock_of(w), w.speed);
  return {answer, p.change_stamp(q, device, w.kind, level.value_or(answer.level))};
}
} // namespace

TEST(prediction_changes, an_exact_prediction_moves_only_with_results_of_its_model_type_and_device) {
  execution_predictor p;
  const auto a100 = cuda_worker("a", "A100", 40, 8.0);
  const auto v100 = cuda_worker("v", "V100", 32, 7.0);
  p.record("bert-base-uncased", task_type::benchmark, 8, a100, 100.0);
  p.record("t5-small", task_type::benchmark, 8, a100, 50.0);
  const auto before = predict(p, "bert-base-uncased", task_type::benchmark, 8, a100);
  ASSERT_EQ(before.answer.level, prediction_level::exact);
  p.record("t5-small", task_type::benchmark, 8, a100, 70.0);          // another model
  p.record("bert-base-uncased", task_type::test, 8, a100, 70.0);      // another type
  p.record("bert-base-uncased", task_type::benchmark, 8, v100, 70.0); // another device
  EXPECT_EQ(predict(p, "bert-base-uncased", task_type::benchmark, 8, a100).stamp, before.stamp);
  p.record("bert-base-uncased", task_type::benchmark, 32, a100, 70.0);  // same model, type and device
  EXPECT_NE(predict(p, "bert-base-uncased", task_type::benchmark, 8, a100).stamp, before.stamp);
}

TEST(prediction_changes, loading_a_snapshot_moves_every_stamp) {
  execution_predictor p;
  const auto a100 = cuda_worker("a", "A100", 40, 8.0);
  p.record("bert-base-uncased", task_type::benchmark, 8, a100, 100.0);
  const auto before = predict(p, "bert-base-uncased", task_type::benchmark, 8, a100);
  p.load(p.snapshot());
  EXPECT_NE(predict(p, "bert-base-uncased", task_type::benchmark, 8, a100).stamp, before.stamp);
}

RC_GTEST_PROP(prediction_changes, a_prediction_whose_stamp_stands_has_not_changed, ()) {
  const std::vector<std::string> models = {"bert-base-uncased", "roberta-large", "t5-small", "resnet50", ""};
  const std::vector<worker_capability> fleet = {cuda_worker("a", "A100", 40, 8.0), cuda_worker("v", "V100", 32, 7.0),
                                                cpu_worker("c", "EPYC", 256, 64)};
  execution_predictor p;
  for (const auto& w : fleet) p.device_key(w.name);
  const auto model = *rc::gen::elementOf(models);
  const auto type = *rc::gen::element(task_type::benchmark, task_type::test);
  const int batch = *rc::gen::element(1, 8);
  const auto& worker = fleet[*rc::gen::inRange<std::size_t>(0, fleet.size())];
  // Models seen at least once, so that the query's names stay resolved.
  for (const auto& m : models) p.record(m, task_type::custom, 1, fleet[2], 1.0);
  const int results = *rc::gen::inRange(0, 40);
  for (int k = 0; k < results; ++k) {
    const auto before = predict(p, model, type, batch, worker);
    p.record(*rc::gen::elementOf(models), *rc::gen::element(task_type::benchmark, task_type::test),
             *rc::gen::element(1, 8, 32), fleet[*rc::gen::inRange<std::size_t>(0, fleet.size())],
             *rc::gen::inRange(1, 1000));
    const auto after = predict(p, model, type, batch, worker, before.answer.level);
    if (after.stamp == before.stamp) {
      RC_ASSERT(after.answer.seconds == before.answer.seconds);
      RC_ASSERT(after.answer.level == before.answer.level);
    }
  }
}
