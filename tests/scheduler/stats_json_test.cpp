#include "fleet_fixtures.hpp"
#include "scheduler/output/stats_json.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace dtf;
using namespace dtf::testing;

TEST(stats_json, carries_every_section_and_clamps_non_finite_numbers) {
  scheduler_core core;
  core.add_worker(cpu_worker("idle", "cpu", 64, 32));
  auto s = core.stats();
  s.utilization = std::numeric_limits<double>::quiet_NaN();
  auto j = to_json(s);
  for (const char* key : {"tasks_by_type_and_status", "worker_utilization", "average_execution_time_by_type",
                          "specialization", "affinity", "model_family_distribution", "performance_metric_counts",
                          "predictions"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["worker_utilization"].size(), 1u);
  EXPECT_EQ(j["worker_utilization"][0]["worker"], "idle");
  EXPECT_EQ(j["utilization"], 0.0);
  EXPECT_NO_THROW((void)j.dump());
}
