// The journal's attempts keep what the results file says of them: a resumed
// run writes its earlier attempts from the journal, and each line must be the
// one the first run wrote (wall and modeled seconds, prediction and its
// source, worker slots, metrics). History still learns the measured seconds.
#include "actors/journal/sqlite_journal.hpp"
#include "actors/output/results_jsonl_reader.hpp"
#include "actors/output/results_jsonl_writer.hpp"
#include "journal_temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dtf {
namespace {

using testing::journal_temp_dir;

// Lines as dtf run writes them: an emulated attempt (20.75 modeled seconds in
// 1.0375 wall seconds at --time-scale 0.05) from a default estimate, a real
// one predicted from history on a worker of unknown slots, one killed before
// any prediction.
const std::vector<std::string> first_run_lines{
    R"({"task":"a","worker":"worker-cuda-2","status":"succeeded","exit_code":0,"attempt":1,"start":1796460062.0037975,"end":1796460063.0412974,"duration_s":1.0375,"modeled_s":20.75,"predicted_s":106.06601717798213,"predicted_from":"default","worker_slots":2,"metrics":{"emulated_duration_s":20.75},"model":"bert-base-uncased","type":"benchmark","batch_size":8})",
    R"({"task":"b","worker":"worker-cuda-2","status":"failed","exit_code":3,"attempt":2,"start":1796460064.25,"end":1796460064.3125,"duration_s":0.0625,"predicted_s":0.5,"predicted_from":"history","metrics":{"throughput":12.5},"model":"t5-small","type":"custom","batch_size":0,"error":"exit code 3"})",
    R"({"task":"c","worker":"worker-cuda-2","status":"cancelled","exit_code":-1,"term_signal":15,"attempt":1,"start":1796460065.0,"end":1796460066.5,"duration_s":1.5,"modeled_s":30.0,"predicted_s":null,"worker_slots":4,"metrics":{},"model":"llama-7b","type":"benchmark","batch_size":8,"error":"interrupted by SIGINT"})",
};

worker_capability emulated_gpu() {
  worker_capability w;
  w.id = "worker-cuda-2";
  w.kind = device_kind::cuda;
  w.name = "NVIDIA A100-SXM4-40GB";
  w.emulated = true;
  return w;
}

TEST(journal_attempt_fields, attempts_come_back_as_the_results_file_wrote_them) {
  journal_temp_dir dir;
  sqlite_journal journal{dir / "j.sqlite"};
  const auto run = journal.begin_run("emu");
  for (const auto& line : first_run_lines) {
    const auto written = parse_results_json_line(line, "first-run.jsonl", 1);
    ASSERT_EQ(results_jsonl_writer::to_json_line(written), line) << "the line as dtf writes it";
    journal.record_result(ran_on(written, emulated_gpu()));
  }
  const auto attempts = journal.attempts(run);
  ASSERT_EQ(attempts.size(), first_run_lines.size());
  for (std::size_t i = 0; i < attempts.size(); ++i)
    EXPECT_EQ(results_jsonl_writer::to_json_line(attempts[i]), first_run_lines[i]);

  // History learns the measured seconds (modeled when emulated), and predictions from history only.
  const auto history = journal.load_history();
  ASSERT_EQ(history.size(), first_run_lines.size());
  EXPECT_EQ(history[0].duration_s, 20.75);
  EXPECT_FALSE(history[0].predicted_s.has_value()) << "a default estimate";
  EXPECT_EQ(history[1].duration_s, 0.0625);
  EXPECT_EQ(history[1].predicted_s, 0.5);
  EXPECT_EQ(history[2].duration_s, 30.0);
}

} // namespace
} // namespace dtf
