// No actor dies silently: an exception inside any of the runtime's actors is
// logged with the actor and the message it was handling, the run stops
// (unfinished tasks end cancelled with the reason), wait() returns instead of
// hanging, the statistics say what failed, and the JUnit file and the
// journal's run record it.
#include "actors/journal/sqlite_journal.hpp"
#include "actors/runtime.hpp"
#include "journal_temp_dir.hpp"
#include "tests/scheduler/fleet_fixtures.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace dtf {
namespace {

task gpu_task(const std::string& id, const std::string& model = "bert-base-uncased") {
  return testing::make_task(id, {device_kind::cuda}, 0.0, 0, model);
}

runtime_config emulated_config(const testing::journal_temp_dir& dir, double time_scale) {
  runtime_config config;
  config.probe_local = false;
  config.fleet = {testing::cuda_worker("gpu-a", "NVIDIA A100-SXM4-40GB", 40, 8.0)};
  config.fleet[0].emulated = true;
  config.max_tasks_per_worker = 1;
  config.time_scale = time_scale;
  config.metrics_interval_s = 0;
  config.junit_path = (dir / "junit.xml").string();
  config.journal_path = (dir / "journal.sqlite").string();
  return config;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The scheduler actor renders its statistics as JSON; a model name that is
// not UTF-8 (possible through the embedding API, whatever the parsers accept)
// makes that throw inside the actor.
TEST(runtime_failure, an_exception_in_the_scheduler_actor_fails_the_run_and_says_where) {
  testing::journal_temp_dir dir;
  auto config = emulated_config(dir, 0);
  ::testing::internal::CaptureStderr();
  runtime_stats stats;
  {
    runtime rt{config};
    rt.start();
    rt.submit({gpu_task("fine"), gpu_task("odd", "model-\xff")});
    EXPECT_EQ(rt.wait().succeeded, 2u);
    rt.stats();  // the scheduler fails while answering
    stats = rt.wait();
    rt.stop();
  }
  const auto log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("dtf: internal error: actor dtf.scheduler"), std::string::npos) << log;
  EXPECT_NE(log.find("while handling"), std::string::npos) << log;
  EXPECT_NE(stats.failure.find("dtf.scheduler"), std::string::npos) << stats.failure;
  EXPECT_NE(stats.failure.find("UTF-8"), std::string::npos) << stats.failure;
  sqlite_journal journal{dir / "journal.sqlite"};
  ASSERT_EQ(journal.runs().size(), 1u);
  EXPECT_EQ(journal.runs()[0].status, "failed");
}

// A task update callback that throws (as an output file that cannot be
// written does) stops the run: the running task is cancelled on its worker,
// the queued ones never start, and every one ends as an error in JUnit.
TEST(runtime_failure, a_failing_update_callback_stops_the_run_and_every_task_ends_with_the_reason) {
  testing::journal_temp_dir dir;
  auto config = emulated_config(dir, 1.0);  // emulated benchmarks take seconds: still running when it fails
  ::testing::internal::CaptureStderr();
  runtime_stats stats;
  {
    runtime rt{config};
    rt.subscribe([](const task_update& u) {
      if (u.kind == task_event_kind::started) throw std::runtime_error("disk full");
    });
    rt.start();
    rt.submit({gpu_task("a"), gpu_task("b"), gpu_task("c")});
    stats = rt.wait();
    rt.stop();
  }
  const auto log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("disk full"), std::string::npos) << log;
  EXPECT_NE(stats.failure.find("disk full"), std::string::npos) << stats.failure;
  EXPECT_EQ(stats.cancelled, 3u);
  EXPECT_EQ(stats.succeeded, 0u);
  const auto junit = read_text(dir / "junit.xml");
  EXPECT_NE(junit.find("tests=\"3\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("errors=\"3\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("dtf failed: task update callback failed"), std::string::npos) << junit;
  sqlite_journal journal{dir / "journal.sqlite"};
  auto run = journal.runs().at(0);
  EXPECT_EQ(run.status, "failed");
  for (const auto& t : journal.tasks(run.id)) EXPECT_EQ(t.status, task_status::cancelled) << t.definition.id;
}

} // namespace
} // namespace dtf
