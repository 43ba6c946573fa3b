// The intelligent policy finds its winner by walking each worker profile's
// member orders (profile_member_order) instead of scoring every free worker;
// over random runs it must place exactly as scoring every free worker does.
#include "fleet_fixtures.hpp"
#include "forwarding_policy.hpp"
#include "scheduler/core/scheduler_core.hpp"

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

const std::vector<std::string> models = {"bert-base-uncased", "distilbert-base-uncased", "t5-small", "resnet50",
                                         "openai/whisper-small", "dlrm", ""};

/// Profiles with many identical members, so that the walk (not the plain scan) decides.
std::vector<worker_capability> fleet(int per_profile, bool with_cpu) {
  std::vector<worker_capability> out;
  for (int i = 0; i < per_profile; ++i) {
    const auto n = std::to_string(i);
    out.push_back(cuda_worker("a100-" + n, "NVIDIA A100", 40, 8.0, 108, 1));
    out.push_back(cuda_worker("t4-" + n, "Tesla T4", 16, 7.5, 40, 1, 0.5));
    if (with_cpu) out.push_back(cpu_worker("cpu-" + n, "Xeon", 64, 32, 2, 0.25));
  }
  return out;
}

} // namespace

RC_GTEST_PROP(profile_walk, places_exactly_as_scoring_every_free_worker, ()) {
  const int per_profile = *rc::gen::inRange(9, 30);
  const bool with_cpu = *rc::gen::arbitrary<bool>();
  const auto workers = fleet(per_profile, with_cpu);
  scheduler_config config;
  config.allow_deferral = *rc::gen::arbitrary<bool>();
  scheduler_core walking(config, make_policy("intelligent", config));
  // Fed the flat free list, the intelligent policy scores every free worker.
  scheduler_core scanning(config, std::make_unique<forwarding_policy>(config, forwarding_policy::options{true, false}));
  for (const auto& w : workers) {
    walking.add_worker(w);
    scanning.add_worker(w);
  }
  std::vector<std::pair<std::string, std::string>> running;  // task, worker
  int next_task = 0;
  double now_s = 0.0;
  const int steps = *rc::gen::inRange(5, 40);
  for (int step = 0; step < steps; ++step) {
    now_s += *rc::gen::inRange(0, 100);
    const int arrivals = *rc::gen::inRange(0, 3 * per_profile);
    for (int a = 0; a < arrivals; ++a) {
      task t;
      t.id = "t" + std::to_string(next_task++);
      t.type = *rc::gen::element(task_type::benchmark, task_type::test, task_type::custom);
      t.model = *rc::gen::elementOf(models);
      t.batch_size = *rc::gen::element(0, 8, 32);
      t.requirements.hardware = *rc::gen::element(std::vector<device_kind>{device_kind::cuda},
                                                  std::vector<device_kind>{device_kind::cuda, device_kind::cpu},
                                                  std::vector<device_kind>{device_kind::cpu, device_kind::cuda});
      walking.submit(t, now_s);
      scanning.submit(t, now_s);
    }
    const auto placed = walking.schedule(now_s);
    const auto expected = scanning.schedule(now_s);
    RC_ASSERT(placed.size() == expected.size());
    for (std::size_t k = 0; k < placed.size(); ++k) {
      RC_ASSERT(placed[k].task_id == expected[k].task_id);
      RC_ASSERT(placed[k].worker_id == expected[k].worker_id);
      RC_ASSERT(placed[k].score == expected[k].score);
      running.emplace_back(placed[k].task_id, placed[k].worker_id);
    }
    // Some running tasks finish: successes of varied speed, some failures.
    const int finishing = *rc::gen::inRange(0, static_cast<int>(running.size()) + 1);
    for (int f = 0; f < finishing && !running.empty(); ++f) {
      const auto pick = static_cast<std::size_t>(*rc::gen::inRange(0, static_cast<int>(running.size())));
      const auto [task_id, worker_id] = running[pick];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(pick));
      task_result r;
      r.task_id = task_id;
      r.worker_id = worker_id;
      r.status = *rc::gen::inRange(0, 8) == 0 ? task_status::failed : task_status::succeeded;
      r.duration_s = *rc::gen::inRange(1, 500);
      r.model = *rc::gen::elementOf(models);
      r.type = *rc::gen::element(task_type::benchmark, task_type::test, task_type::custom);
      walking.record_result(r, now_s);
      scanning.record_result(r, now_s);
    }
  }
}
