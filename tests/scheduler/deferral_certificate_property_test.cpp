// schedule() repeats a deferral without asking the policy while the policy's
// deferral bound still proves it (scheduler/core/deferral.hpp); over random runs
// it must place exactly as a core that asks the policy every time, and count
// the same deferrals.
#include "fleet_fixtures.hpp"
#include "forwarding_policy.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

using namespace dtf;
using dtf::testing::cpu_worker;
using dtf::testing::cuda_worker;
using dtf::testing::forwarding_policy;

namespace {

const std::vector<std::string> models = {"bert-base-uncased", "t5-small", "resnet50", "dlrm", ""};

/// Fast GPUs, slower GPUs and slow CPUs: tasks wait for the fast ones.
std::vector<worker_capability> fleet(int fast, int slow, int cpus, double fast_memory_gb = 32) {
  std::vector<worker_capability> out;
  for (int i = 0; i < fast; ++i)
    out.push_back(cuda_worker("fast-" + std::to_string(i), "A100", fast_memory_gb, 8.0, 32, 1, 4.0));
  for (int i = 0; i < slow; ++i) out.push_back(cuda_worker("slow-" + std::to_string(i), "T4", 32, 8.0, 32, 1, 1.0));
  for (int i = 0; i < cpus; ++i) out.push_back(cpu_worker("cpu-" + std::to_string(i), "Xeon", 32, 32, 2, 0.25));
  return out;
}

struct running_attempt {
  std::string task_id;
  std::string worker_id;
  double end_s;
};

/// Runs the same random events through a core that repeats certified
/// deferrals and one that asks the policy every time; they must agree.
/// `noisy_errors`: besides, prediction errors learned at model-history
/// levels turn them noisy and back (prediction_spread::noisy), which changes
/// whether the policy defers at all. `large_tasks`: a third of the tasks need
/// 40 GB (only fast GPUs of 80 GB fit them: they keep arriving for one profile).
void compare_with_asking_every_time(const std::vector<worker_capability>& workers, int max_arrivals,
                                    bool noisy_errors = false, bool large_tasks = false) {
  scheduler_config config;
  config.max_deferrals_per_class = *rc::gen::inRange(1, 5);
  config.backup_attempts = *rc::gen::arbitrary<bool>();
  scheduler_core certified(config, make_policy("intelligent", config));
  // Without its deferral bounds the policy is asked for every class at every call.
  scheduler_core asking(config, std::make_unique<forwarding_policy>(config, forwarding_policy::options{false, false}));
  for (const auto& w : workers) {
    certified.add_worker(w);
    asking.add_worker(w);
  }
  std::vector<running_attempt> running;
  int next_task = 0;
  double now_s = 0.0;
  const int steps = *rc::gen::inRange(10, 80);
  for (int step = 0; step < steps; ++step) {
    // Events: arrivals, or the earliest end, or just time passing.
    const int event = *rc::gen::inRange(0, noisy_errors ? 4 : 3);
    if (event == 0 || running.empty()) {
      now_s += *rc::gen::inRange(0, 30);
      const int arrivals = *rc::gen::inRange(0, max_arrivals + 1);
      for (int a = 0; a < arrivals; ++a) {
        task t;
        t.id = "t" + std::to_string(next_task++);
        t.type = *rc::gen::element(task_type::benchmark, task_type::test);
        t.model = *rc::gen::elementOf(models);
        t.batch_size = *rc::gen::element(0, 8);
        t.priority = *rc::gen::inRange(0, 2);
        t.requirements.hardware = *rc::gen::element(std::vector<device_kind>{device_kind::cuda},
                                                    std::vector<device_kind>{device_kind::cuda, device_kind::cpu});
        if (large_tasks && *rc::gen::inRange(0, 3) == 0) {
          t.requirements.hardware = {device_kind::cuda};
          t.requirements.min_memory_gb = 40.0;
        }
        certified.submit(t, now_s);
        asking.submit(t, now_s);
      }
    } else if (event == 1) {
      auto first = std::min_element(running.begin(), running.end(),
                                    [](const auto& a, const auto& b) { return a.end_s < b.end_s; });
      const auto done = *first;
      running.erase(first);
      now_s = std::max(now_s, done.end_s);
      task_result r;
      r.task_id = done.task_id;
      r.worker_id = done.worker_id;
      r.status = *rc::gen::inRange(0, 10) == 0 ? task_status::failed : task_status::succeeded;
      r.duration_s = *rc::gen::inRange(1, 200);
      r.model = *rc::gen::elementOf(models);
      r.type = *rc::gen::element(task_type::benchmark, task_type::test);
      const auto effect = certified.record_result(r, now_s);
      const auto expected_effect = asking.record_result(r, now_s);
      RC_ASSERT(effect.cancel_on_worker == expected_effect.cancel_on_worker);
      RC_ASSERT(effect.still_running == expected_effect.still_running);
      if (effect.cancel_on_worker)
        std::erase_if(running, [&](const auto& a) { return a.task_id == done.task_id; });
    } else if (event == 2) {
      now_s += *rc::gen::inRange(0, 60);
    } else {
      const double factor = *rc::gen::element(1.0, 8.0, 1e3);  // sigma 0, about 2 (noisy), 7
      const int count = *rc::gen::inRange(1, 2 * static_cast<int>(prediction_spread::noisy_after));
      for (auto level : {prediction_level::exact, prediction_level::model_type_device,
                         prediction_level::model_type_scaled, prediction_level::model_type})
        for (int k = 0; k < count; ++k)
          for (auto* core : {&certified, &asking})
            core->predictor().record_outcome(prediction{10.0, level, 1, 0.0},
                                             10.0 * (k % 2 == 0 ? factor : 1.0 / factor));
    }
    const auto placed = certified.schedule(now_s);
    const auto expected = asking.schedule(now_s);
    RC_ASSERT(placed.size() == expected.size());
    for (std::size_t k = 0; k < placed.size(); ++k) {
      RC_ASSERT(placed[k].task_id == expected[k].task_id);
      RC_ASSERT(placed[k].worker_id == expected[k].worker_id);
      RC_ASSERT(placed[k].score == expected[k].score);
      RC_ASSERT(placed[k].backup == expected[k].backup);
      running.push_back({placed[k].task_id, placed[k].worker_id, now_s + *rc::gen::inRange(1, 300)});
    }
    RC_ASSERT(certified.stats().deferrals == asking.stats().deferrals);
    RC_ASSERT(certified.next_wakeup_s() == asking.next_wakeup_s());
  }
}

} // namespace

RC_GTEST_PROP(deferral_certificate, places_exactly_as_asking_the_policy_every_time, ()) {
  compare_with_asking_every_time(fleet(*rc::gen::inRange(1, 6), *rc::gen::inRange(0, 6), *rc::gen::inRange(0, 4)), 3);
}

// A level's verdict changes the policy's answer without changing a prediction:
// it is part of the stamps, so no deferral made under one verdict is repeated
// under the other. (Four runs per case: a flip right after a repeatable
// deferral is rare in one.)
RC_GTEST_PROP(deferral_certificate, places_exactly_as_asking_the_policy_every_time_as_levels_turn_noisy, ()) {
  for (int run = 0; run < 4; ++run) {
    const bool deep = *rc::gen::arbitrary<bool>();
    compare_with_asking_every_time(deep ? fleet(*rc::gen::inRange(20, 40), *rc::gen::inRange(0, 4), *rc::gen::inRange(1, 3))
                                        : fleet(*rc::gen::inRange(1, 6), *rc::gen::inRange(0, 6), *rc::gen::inRange(0, 4)),
                                   deep ? 80 : 3, true);
  }
}

// Many fast workers and deep queues: deferrals that pass over the policy's
// most (its busy count's limit) are repeated too.
RC_GTEST_PROP(deferral_certificate, places_exactly_as_asking_the_policy_every_time_with_deep_queues, ()) {
  compare_with_asking_every_time(fleet(*rc::gen::inRange(20, 40), *rc::gen::inRange(0, 4), *rc::gen::inRange(1, 3)), 80);
}

// Tasks only the fast GPUs fit keep arriving: the share of their slots such
// work claims moves with time (class_arrivals), so no deferral is repeated
// without asking while it does.
RC_GTEST_PROP(deferral_certificate, places_exactly_as_asking_the_policy_every_time_as_scarce_work_arrives, ()) {
  compare_with_asking_every_time(fleet(*rc::gen::inRange(1, 6), *rc::gen::inRange(1, 6), *rc::gen::inRange(0, 4), 80), 3,
                                 false, true);
}

TEST(deferral_certificate, repeats_a_deferral_without_asking_until_a_fast_worker_frees) {
  scheduler_config config;
  auto policy = std::make_unique<forwarding_policy>(config, forwarding_policy::options{});
  auto* intelligent = policy.get();
  scheduler_core core(config, std::move(policy));
  for (const auto& w : fleet(2, 0, 1)) core.add_worker(w);
  for (int i = 0; i < 2; ++i) {
    task busy;
    busy.id = "busy" + std::to_string(i);
    busy.requirements.hardware = {device_kind::cuda, device_kind::cpu};
    core.submit(busy, 0);
  }
  ASSERT_EQ(core.schedule(0).size(), 2u);  // both on the fast GPUs (6 s each at speed 4)
  task waiting;
  waiting.id = "waiting";
  waiting.requirements.hardware = {device_kind::cuda, device_kind::cpu};
  waiting.timeout_s = 1e5;  // so the CPU is a candidate, not a worker past the timeout
  core.submit(waiting, 1);
  // 120 s on the CPU, x 30 while no result speaks for it: it waits for a GPU.
  EXPECT_TRUE(core.schedule(1).empty());
  const auto asked = intelligent->decisions;
  EXPECT_TRUE(core.schedule(2).empty());
  EXPECT_TRUE(core.schedule(3).empty());
  EXPECT_EQ(intelligent->decisions, asked);  // repeated, not asked again
  EXPECT_EQ(core.stats().deferrals, 3u);
  task_result r;
  r.task_id = "busy0";
  r.worker_id = "fast-0";
  r.status = task_status::succeeded;
  r.duration_s = 6;
  core.record_result(r, 6);
  const auto placed = core.schedule(6);
  EXPECT_GT(intelligent->decisions, asked);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "waiting");
  EXPECT_EQ(placed[0].worker_id, "fast-0");
}
