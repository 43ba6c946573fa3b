#include "fleet_fixtures.hpp"
#include "scheduler/terms/weighted_score.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
// A core holding the workers, so terms can read them through a view.
struct term_fixture {
  scheduler_core core;
  explicit term_fixture(std::vector<worker_capability> workers) {
    for (auto& w : workers) core.add_worker(std::move(w));
  }
  double value(const score_term& term, const task& t, std::size_t worker, double finish = 1.0, double best = 1.0) {
    scheduler_view view{core};
    term_context ctx{t, worker, view.worker(worker), view, 0.0, finish, best};
    return bounded_value(term, ctx);
  }
};
} // namespace

TEST(hardware_match_term, ranks_kinds_by_the_preference_list) {
  term_fixture f({cuda_worker("c", "A100", 40, 8.0), rocm_worker("r", "MI100", 32, "gfx908")});
  auto t = make_task("t", {device_kind::cuda, device_kind::rocm});
  EXPECT_DOUBLE_EQ(f.value(hardware_match_term, t, 0), 1.0);
  EXPECT_DOUBLE_EQ(f.value(hardware_match_term, t, 1), 0.5);
}

TEST(memory_margin_term, is_a_relative_margin_not_raw_gigabytes) {
  term_fixture f({cuda_worker("small", "RTX", 10, 8.6), cuda_worker("huge", "H100", 80, 9.0)});
  auto t = make_task("t", {device_kind::cuda}, 8);
  const double small = f.value(memory_margin_term, t, 0);
  const double huge = f.value(memory_margin_term, t, 1);
  EXPECT_NEAR(small, 0.2, 1e-9);
  EXPECT_NEAR(huge, 0.9, 1e-9);
  EXPECT_LE(huge, 1.0);  // 80 GB does not run away with the score
}

TEST(compute_capability_term, saturates_above_the_requirement_and_ignores_other_kinds) {
  term_fixture f({cuda_worker("old", "V100", 32, 7.0), cuda_worker("new", "H100", 80, 9.0),
                  rocm_worker("r", "MI100", 32, "gfx908")});
  auto t = make_task("t", {device_kind::cuda, device_kind::rocm});
  t.requirements.min_cuda_compute = 7.0;
  EXPECT_DOUBLE_EQ(f.value(compute_capability_term, t, 0), 0.0);
  EXPECT_NEAR(f.value(compute_capability_term, t, 1), 2.0 / 3.0, 1e-9);
  EXPECT_DOUBLE_EQ(f.value(compute_capability_term, t, 2), 0.0);
}

TEST(cores_term, grows_with_cores_and_saturates) {
  term_fixture f({cpu_worker("a", "cpu", 64, 8), cpu_worker("b", "cpu", 64, 64), cpu_worker("c", "cpu", 64, 100000)});
  auto t = make_task("t");
  EXPECT_LT(f.value(cores_term, t, 0), f.value(cores_term, t, 1));
  EXPECT_DOUBLE_EQ(f.value(cores_term, t, 2), 1.0);
}

TEST(device_match_term, rewards_the_preferred_device_name) {
  term_fixture f({cuda_worker("a", "NVIDIA A100-SXM4-40GB", 40, 8.0), cuda_worker("r", "RTX 3080", 10, 8.6)});
  auto t = make_task("t", {device_kind::cuda});
  EXPECT_DOUBLE_EQ(f.value(device_match_term, t, 0), 0.0);  // no preference: neutral
  t.requirements.device = "a100";
  EXPECT_DOUBLE_EQ(f.value(device_match_term, t, 0), 1.0);
  EXPECT_DOUBLE_EQ(f.value(device_match_term, t, 1), 0.0);
}

TEST(efficiency_term, is_neutral_without_metrics_and_prefers_cool_idle_workers) {
  term_fixture f({cuda_worker("cool", "A100", 40, 8.0), cuda_worker("hot", "A100", 40, 8.0)});
  auto t = make_task("t", {device_kind::cuda});
  EXPECT_DOUBLE_EQ(f.value(efficiency_term, t, 0), 0.0);
  worker_metrics cool{0.1, std::nullopt, 55.0, 100.0, 400.0};
  worker_metrics hot{0.95, std::nullopt, 95.0, 390.0, 400.0};
  f.core.update_metrics("cool", cool);
  f.core.update_metrics("hot", hot);
  EXPECT_GT(f.value(efficiency_term, t, 0), 0.5);
  EXPECT_LT(f.value(efficiency_term, t, 1), -0.5);
}

TEST(load_term, penalizes_running_tasks_relative_to_slots) {
  term_fixture f({cpu_worker("w", "cpu", 64, 32, 4)});
  auto t = make_task("t");
  EXPECT_DOUBLE_EQ(f.value(load_term, t, 0), 0.0);
  f.core.submit(make_task("busy"));
  f.core.schedule();
  EXPECT_DOUBLE_EQ(f.value(load_term, t, 0), -0.25);
}

TEST(predicted_finish_term, is_relative_to_the_best_candidate) {
  term_fixture f({cpu_worker("w", "cpu", 64, 32)});
  auto t = make_task("t");
  EXPECT_DOUBLE_EQ(f.value(predicted_finish_term, t, 0, 10.0, 10.0), 1.0);
  EXPECT_DOUBLE_EQ(f.value(predicted_finish_term, t, 0, 20.0, 10.0), 0.5);
  EXPECT_DOUBLE_EQ(f.value(predicted_finish_term, t, 0, 1e12, 1.0), 1e-12);
}

TEST(affinity_and_specialization_terms, follow_what_the_core_learned) {
  term_fixture f({cuda_worker("a", "A100", 40, 8.0), cuda_worker("b", "A100", 40, 8.0)});
  auto t = make_task("first", {device_kind::cuda}, 0, 0, "bert-base-uncased");
  f.core.submit(t);
  auto placed = f.core.schedule();
  ASSERT_EQ(placed.size(), 1u);
  f.core.record_result(success_of("first", placed[0].worker_id, 10.0, "bert-base-uncased"));
  const std::size_t warm = placed[0].worker_id == "a" ? 0 : 1;
  auto next = make_task("next", {device_kind::cuda}, 0, 0, "bert-base-uncased");
  EXPECT_DOUBLE_EQ(f.value(affinity_term, next, warm), 1.0);
  EXPECT_DOUBLE_EQ(f.value(affinity_term, next, 1 - warm), 0.0);
  EXPECT_GT(f.value(specialization_term, next, warm), 0.0);  // one success: rate 2/3
  EXPECT_DOUBLE_EQ(f.value(specialization_term, next, 1 - warm), 0.0);
}

TEST(weighted_score, leaves_out_switched_off_terms) {
  scheduler_config config;
  config.enable_task_affinity = false;
  config.load_balance = false;
  scheduler_core core(config);
  core.add_worker(cpu_worker("w", "cpu", 64, 32));
  scheduler_view view{core};
  auto t = make_task("t");
  term_context ctx{t, 0, view.worker(0), view, 0.0, 1.0, 1.0};
  std::vector<term_value> terms;
  weighted_score(ctx, config, &terms);
  for (const auto& term : terms) {
    EXPECT_NE(term.name, "affinity");
    EXPECT_NE(term.name, "load");
  }
  EXPECT_EQ(terms.size(), weighted_terms().size() - 2);
}
