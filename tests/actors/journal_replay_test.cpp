// Starting warm: a second run that loads the journal's history predicts (and
// places) from what the first run measured; the first could only guess.
#include "actors/journal/history_replay.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "journal_temp_dir.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace dtf {
namespace {

using testing::journal_temp_dir;

worker_capability gpu(std::string id, std::string name) {
  worker_capability w;
  w.id = std::move(id);
  w.kind = device_kind::cuda;
  w.name = std::move(name);
  w.memory_bytes = 16ull << 30;
  w.compute_capability = 8.0;
  w.cores = 80;
  w.slots = 1;
  return w;
}

task bert_task(const std::string& id) {
  task t;
  t.id = id;
  t.type = task_type::benchmark;
  t.model = "bert-base-uncased";
  t.batch_size = 8;
  t.requirements.hardware = {device_kind::cuda};
  return t;
}

// The ground truth the runs measure: the same card model is fast on "fast",
// 10x slower on "slow" (identical specs otherwise).
double true_duration_s(const std::string& worker_id) { return worker_id == "fast" ? 12.0 : 120.0; }

struct run_outcome {
  std::map<std::string, std::string> placed;    // task -> worker
  std::map<std::string, double> predicted_s;    // task -> prediction at placement
  double abs_error_s = 0.0;
  double busy_s = 0.0;                         // device time the workload took
};

// Runs a placed task to its true duration: the core learns the result, the
// journal records it with the prediction it was placed with.
void complete(const assignment& a, const worker_capability& worker, scheduler_core& core, sqlite_journal& journal,
              run_outcome& out) {
  out.placed[a.task_id] = a.worker_id;
  out.predicted_s[a.task_id] = a.predicted_duration_s;
  const auto t = bert_task(a.task_id);
  task_result result;
  result.task_id = a.task_id;
  result.worker_id = a.worker_id;
  result.duration_s = true_duration_s(a.worker_id);
  result.model = t.model;
  result.type = t.type;
  result.batch_size = t.batch_size;
  core.record_result(result);
  attempt_record record;
  record.task_id = a.task_id;
  record.worker_id = a.worker_id;
  record.status = task_status::succeeded;
  record.exit_code = 0;
  record.duration_s = result.duration_s;
  record.end_unix_s = 1000.0;
  record.predicted_s = a.predicted_duration_s;
  record.model = t.model;
  record.type = t.type;
  record.batch_size = t.batch_size;
  journal.record_result(ran_on(record, worker));
  journal.record_state(a.task_id, task_status::succeeded);
  out.abs_error_s += std::abs(a.predicted_duration_s - result.duration_s);
  out.busy_s += result.duration_s;
}

// One run of the same workload: a fresh core (warmed from the journal's
// history), two tasks at once, then one more alone.
run_outcome run_once(const std::filesystem::path& file) {
  sqlite_journal journal{file};
  scheduler_core core;
  replay_history(journal.load_history(), core);
  const std::map<std::string, worker_capability> workers{{"slow", gpu("slow", "Tesla V100 (slow host)")},
                                                         {"fast", gpu("fast", "Tesla V100")}};
  core.add_worker(workers.at("slow"));  // registered first: wins ties when nothing is known
  core.add_worker(workers.at("fast"));
  journal.begin_run("warm-start");
  run_outcome out;
  for (const auto& wave : {std::vector<std::string>{"bert-1", "bert-2"}, std::vector<std::string>{"bert-3"}}) {
    for (const auto& id : wave) {
      core.submit(bert_task(id));
      journal.record_task_submitted(bert_task(id));
    }
    // A round may defer a task to wait for a better card; every result
    // arrives before the next round.
    for (int round = 0; round < 4 && core.pending_count() > 0; ++round)
      for (const auto& a : core.schedule()) complete(a, workers.at(a.worker_id), core, journal, out);
    EXPECT_EQ(core.pending_count(), 0u);
  }
  return out;
}

TEST(journal_replay, history_makes_predictions_for_a_seen_model_and_device_exact) {
  journal_temp_dir dir;
  const auto v100 = gpu("fast", "Tesla V100");
  {
    sqlite_journal journal{dir / "j.sqlite"};
    journal.begin_run("first");
    attempt_record record;
    record.task_id = "bert-1";
    record.worker_id = "fast";
    record.status = task_status::succeeded;
    record.duration_s = 12.0;
    record.model = "bert-base-uncased";
    record.type = task_type::benchmark;
    record.batch_size = 8;
    journal.record_result(ran_on(record, v100));
  }
  execution_predictor cold;
  EXPECT_EQ(cold.predict(bert_task("t"), v100).level, prediction_level::default_estimate);

  sqlite_journal journal{dir / "j.sqlite"};
  scheduler_core warm;
  EXPECT_EQ(replay_history(journal.load_history(), warm), 1u);
  const auto p = warm.predictor().predict(bert_task("t"), v100);
  EXPECT_EQ(p.level, prediction_level::exact);
  EXPECT_DOUBLE_EQ(p.seconds, 12.0);
}

TEST(journal_replay, failed_rows_teach_specialization_but_not_the_predictor) {
  attempt_record failed;
  failed.model = "t5-small";
  failed.type = task_type::test;
  failed.device_name = "cpu";
  failed.worker_id = "cpu-0";
  failed.status = task_status::failed;
  failed.duration_s = 0.5;
  scheduler_core core;
  replay_history(std::vector<attempt_record>{failed}, core);
  EXPECT_EQ(core.predictor().samples(), 0u);
  ASSERT_EQ(core.specialization().entries().size(), 1u);
  EXPECT_EQ(core.specialization().entries()[0].failures, 1u);
}

TEST(journal_replay, the_second_run_is_smarter_than_the_first) {
  journal_temp_dir dir;
  const auto file = dir / "journal.sqlite";
  const auto first = run_once(file);
  const auto second = run_once(file);

  // The first run knows nothing: its first task goes to the first registered
  // of two identical cards (the slow one), predicted by the default guess.
  EXPECT_EQ(first.placed.at("bert-1"), "slow");
  EXPECT_NE(first.predicted_s.at("bert-1"), 120.0);
  // The second run starts from the first's measurements: every task goes to
  // the fast card (waiting for it beats 120 s on the slow one), predicted
  // exactly as measured.
  for (const char* id : {"bert-1", "bert-2", "bert-3"}) {
    EXPECT_EQ(second.placed.at(id), "fast") << id;
    EXPECT_DOUBLE_EQ(second.predicted_s.at(id), 12.0) << id;
  }
  EXPECT_DOUBLE_EQ(second.abs_error_s, 0.0);
  EXPECT_GT(first.abs_error_s, 0.0);
  EXPECT_LT(second.busy_s, first.busy_s);

  sqlite_journal journal{file};
  EXPECT_EQ(journal.runs().size(), 2u);
  EXPECT_EQ(journal.history_size(), 6u);
  EXPECT_EQ(journal.summary().predictions.from_history + journal.summary().predictions.defaults, 6u);
}

} // namespace
} // namespace dtf
