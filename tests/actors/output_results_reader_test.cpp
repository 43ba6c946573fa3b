// Reading results JSON Lines back: what the writer wrote comes back; bad lines
// name file, line and field.
#include "actors/output/results_jsonl_reader.hpp"
#include "actors/output/results_jsonl_writer.hpp"
#include "scheduler/input/input_error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

} // namespace
} // namespace dtf
