// Reading results JSON Lines back: what the writer wrote comes back; bad lines
// name file, line and field.
#include "actors/output/results_jsonl_reader.hpp"
#include "actors/output/results_jsonl_writer.hpp"
#include "scheduler/input/input_error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace dtf {
namespace {

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dtf-results-reader-" + std::to_string(::getpid()) + "-" + name);
}

TEST(results_jsonl_reader, reads_back_what_the_writer_wrote) {
  const auto path = temp_path("round.jsonl");
  attempt_record a;
  a.task_id = "t1";
  a.worker_id = "cuda-0";
  a.status = task_status::timed_out;
  a.exit_code = -1;
  a.term_signal = 9;
  a.attempt = 2;
  a.start_unix_s = 100.0;
  a.end_unix_s = 110.5;
  a.duration_s = 10.5;
  a.predicted_s = 9.0;
  a.metrics = {{"throughput", 3.5}};
  a.model = "bert-base";
  a.type = task_type::benchmark;
  a.batch_size = 8;
  a.error = "timed out after 10 s";
  attempt_record b = a;
  b.task_id = "t2";
  b.predicted_s.reset();
  {
    results_jsonl_writer writer{path};
    writer.write(a);
    writer.write(b);
  }
  const auto records = read_results_jsonl(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(results_jsonl_writer::to_json_line(records[0]), results_jsonl_writer::to_json_line(a));
  EXPECT_EQ(results_jsonl_writer::to_json_line(records[1]), results_jsonl_writer::to_json_line(b));
  EXPECT_FALSE(records[1].predicted_s.has_value());
  std::filesystem::remove(path);
}

TEST(results_jsonl_reader, names_file_line_and_field_of_a_bad_record) {
  const auto path = temp_path("bad.jsonl");
  std::ofstream{path} << R"({"task":"t1","status":"succeeded"})" << "\n\n"
                      << R"({"task":"t2","status":"exploded"})" << "\n";
  try {
    read_results_jsonl(path);
    FAIL() << "accepted an unknown status";
  } catch (const input_error& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.field(), "status");
  }
  std::filesystem::remove(path);
}

TEST(results_jsonl_reader, rejects_a_line_that_is_not_json_or_lacks_the_task) {
  EXPECT_THROW(parse_results_json_line("not json", "f", 1), input_error);
  EXPECT_THROW(parse_results_json_line(R"({"status":"failed"})", "f", 1), input_error);
  EXPECT_THROW(parse_results_json_line(R"({"task":"t","status":"failed","attempt":"two"})", "f", 1), input_error);
}

TEST(results_jsonl_reader, rejects_times_out_of_range_naming_the_field) {
  // Before: accepted, and `dtf report` drew 300-digit axis ticks for a start of 1e308.
  const std::string head = R"({"task":"t","status":"succeeded",)";
  for (const auto& [fields, field] : std::vector<std::pair<std::string, std::string>>{
           {R"("start":1e308})", "start"},
           {R"("start":-1})", "start"},
           {R"("end":1.5e11})", "end"},
           {R"("duration_s":1e10})", "duration_s"},
           {R"("duration_s":-0.5})", "duration_s"},
           {R"("modeled_s":2e9})", "modeled_s"},
           {R"("predicted_s":1e308})", "predicted_s"}}) {
    try {
      parse_results_json_line(head + fields, "f.jsonl", 4);
      ADD_FAILURE() << "accepted " << fields;
    } catch (const input_error& e) {
      EXPECT_EQ(e.field(), field);
      EXPECT_EQ(e.line(), 4);
      EXPECT_NE(std::string{e.what()}.find("must be "), std::string::npos) << e.what();
    }
  }
  const auto ok = parse_results_json_line(
      head + R"("start":1796456912.5,"end":1796456913.5,"duration_s":1.0,"predicted_s":1e9})", "f.jsonl", 1);
  EXPECT_EQ(ok.predicted_s, std::optional<double>{1e9});
}

} // namespace
} // namespace dtf
