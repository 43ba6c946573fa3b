// Progress lines: counts and ETA on a terminal, one line per task in a pipe.
#include "actors/output/progress_reporter.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace dtf {
namespace {

progress_snapshot midway() {
  progress_snapshot s;
  s.total = 50;
  s.succeeded = 11;
  s.failed = 1;
  s.running = 4;
  s.pending = 34;
  s.elapsed_s = 12.34;
  s.remaining_work_s = 520.0;
  s.parallel_slots = 8;
  return s;
}

std::string captured(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[512];
  while (auto n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
  return text;
}

TEST(progress_line, shows_counts_and_an_eta_spread_over_the_slots) {
  EXPECT_EQ(format_progress_line(midway()), "12/50 done (1 failed), 4 running, 34 pending, elapsed 12.3s, ETA 1m05s");
}

TEST(progress_line, leaves_the_eta_out_without_predictions) {
  auto s = midway();
  s.remaining_work_s.reset();
  EXPECT_EQ(format_progress_line(s), "12/50 done (1 failed), 4 running, 34 pending, elapsed 12.3s");
}

TEST(progress_line, does_not_spread_work_over_more_slots_than_tasks_left) {
  auto s = midway();
  s.running = 1;
  s.pending = 0;
  s.remaining_work_s = 30.0;
  EXPECT_DOUBLE_EQ(*estimate_eta_s(s), 30.0);
}

TEST(progress_reporter, prints_one_plain_line_per_finished_task_in_a_pipe) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  progress_reporter reporter{file, false};
  reporter.update(midway());  // periodic updates print nothing in a pipe
  reporter.task_finished({"bert-base", "worker-cuda-1", task_status::succeeded, 1, 3.21, ""}, midway());
  reporter.task_finished({"t5", "worker-cpu-0", task_status::failed, 2, 0.4, "exit code 3\nmore"}, midway());
  reporter.finish(midway());
  EXPECT_EQ(captured(file),
            "[12/50] ok        bert-base on worker-cuda-1 in 3.2s\n"
            "[12/50] FAILED    t5 on worker-cpu-0 (attempt 2) in 0.4s: exit code 3 more\n");
  std::fclose(file);
}

TEST(progress_line, shows_an_emulated_attempt_in_wall_seconds_with_its_modeled_seconds_labelled) {
  finished_task task{"vit-base-rocm", "worker-cuda-2", task_status::succeeded, 2, 2.2, ""};
  task.modeled_s = 110.1;
  EXPECT_EQ(format_finished_line(task, midway()),
            "[12/50] ok        vit-base-rocm on worker-cuda-2 (attempt 2) in 2.2s (modeled 1m50s)");
}

TEST(progress_reporter, rewrites_one_status_line_on_a_terminal) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  progress_reporter reporter{file, true};
  reporter.update(midway());
  reporter.task_finished({"t5", "worker-cpu-0", task_status::timed_out, 1, 0.3, "timed out after 0.3 s"}, midway());
  reporter.finish(midway());
  auto line = format_progress_line(midway());
  EXPECT_EQ(captured(file), "\r\x1b[K" + line + "\r\x1b[K[12/50] TIMEOUT   t5 on worker-cpu-0 in 0.3s: timed out after 0.3 s\n" +
                                "\r\x1b[K" + line + "\r\x1b[K" + line + "\n");
  std::fclose(file);
}

} // namespace
} // namespace dtf
