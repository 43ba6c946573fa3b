// The runner threads of a real worker: how many there are and when jobs run.
#include "actors/execution/job_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace dtf {
namespace {

using namespace std::chrono_literals;

/// A job whose end (heard once its runner is free) fulfils `ended`.
job_queue::job ending_with(std::promise<void>& ended) {
  return [&ended] { return job_queue::job_end{[&ended] { ended.set_value(); }}; };
}

TEST(job_queue, asks_for_a_runner_only_when_every_runner_is_busy) {
  job_queue jobs;
  std::vector<std::thread> runners;
  std::promise<void> first_done;
  ASSERT_TRUE(jobs.push(ending_with(first_done)));
  runners.emplace_back([&] { jobs.run_jobs(); });
  first_done.get_future().wait();
  // One after another: the runner that ran the first job runs the next ones.
  for (int i = 0; i < 20; ++i) {
    std::promise<void> done;
    // Told of the end only once the runner is free: it takes the next job.
    EXPECT_FALSE(jobs.push(ending_with(done)));
    done.get_future().wait();
  }
  EXPECT_EQ(jobs.runners(), 1u);
  jobs.close();
  for (auto& t : runners) t.join();
  EXPECT_EQ(jobs.runners(), 0u);
}

TEST(job_queue, never_lets_a_job_wait_for_a_running_one) {
  job_queue jobs;
  std::vector<std::thread> runners;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> second_done;
  ASSERT_TRUE(jobs.push([released] {
    released.wait();
    return job_queue::job_end{};
  }));
  runners.emplace_back([&] { jobs.run_jobs(); });
  // The first job blocks its runner: the second one gets a runner of its own.
  ASSERT_TRUE(jobs.push(ending_with(second_done)));
  runners.emplace_back([&] { jobs.run_jobs(); });
  EXPECT_EQ(second_done.get_future().wait_for(10s), std::future_status::ready);
  release.set_value();
  jobs.close();
  for (auto& t : runners) t.join();
}

TEST(job_queue, runs_what_was_queued_before_close_then_lets_its_runners_return) {
  job_queue jobs;
  std::atomic<int> ran{0};
  std::promise<void> release;
  auto released = release.get_future().share();
  std::vector<bool> asked;
  asked.push_back(jobs.push([released, &ran] {
    released.wait();
    ++ran;
    return job_queue::job_end{};
  }));
  for (int i = 0; i < 3; ++i)
    asked.push_back(jobs.push([&ran] { return job_queue::job_end{[&ran] { ++ran; }}; }));
  EXPECT_EQ(asked, (std::vector<bool>{true, true, true, true}));  // no runner was started yet
  std::thread runner{[&] { jobs.run_jobs(); }};  // one runner does all, in order
  jobs.close();
  release.set_value();
  runner.join();
  EXPECT_EQ(ran.load(), 4);
}

} // namespace
} // namespace dtf
