#pragma once
// A backup race on emulated workers at one time scale: "fast" (a GPU that ran
// bert-base in 60 modeled s) and "slow" (a CPU that ran it in 600), one task
// at a time each, without deferral and with a budget that lets any copy start.
#include "fleet_fixtures.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dtf::testing {

inline task bert_task(std::string id) {
  auto t = make_task(std::move(id), {device_kind::cuda, device_kind::cpu}, 0.0, 0, "bert-base");
  t.timeout_s = 1e6;
  return t;
}

/// The core after "a" was placed on "fast" and "b" on "slow", both at 0.
/// faster_copies: the end-of-batch copies too (else only overdue attempts get one).
inline scheduler_core fast_and_slow_running_a_and_b(double time_scale, bool faster_copies = false) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.allow_deferral = false;        // b must start on the slow worker
  config.backup_budget_fraction = 2.0;  // a copy may cost more than all slot time
  config.backup_to_faster_workers = faster_copies;
  scheduler_core core(config, make_policy("intelligent", config));
  core.add_worker(emulated(cuda_worker("fast", "GPU", 32, 8.0), time_scale));
  core.add_worker(emulated(cpu_worker("slow", "CPU", 64, 8, 0, 0.1), time_scale));
  core.learn_from_history(success_of("old1", "fast", 60.0, "bert-base"), core.workers()[0]);
  core.learn_from_history(success_of("old2", "slow", 600.0, "bert-base"), core.workers()[1]);
  core.submit(bert_task("a"), 0.0);
  core.submit(bert_task("b"), 0.0);
  EXPECT_EQ(placement(core.schedule(0.0)), (std::map<std::string, std::string>{{"a", "fast"}, {"b", "slow"}}));
  return core;
}

} // namespace dtf::testing
