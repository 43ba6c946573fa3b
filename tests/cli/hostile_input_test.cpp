// The regression corpus of tests/fixtures/hostile through the real dtf
// binary: every hostile input ends in exit code 2 and one readable line on
// stderr naming the file, the line and the field, never in a crash.
#include "scheduler/input/utf8_text.hpp"
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using dtf::testing::run_dtf;

std::string source(const std::string& relative) { return std::string{DTF_SOURCE_DIR} + "/" + relative; }
std::string hostile(const std::string& name) { return source("tests/fixtures/hostile/" + name); }
const std::string example_suite = source("examples/suite.yaml");
const std::string example_fleet = source("examples/fleet.yaml");

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("dtf-hostile-" + std::to_string(::getpid()) + "-" + name)).string();
}

/// Exit code 2 and exactly `expected` (after the "dtf ...: " prefix) as the one line on stderr.
void expect_input_error(const std::vector<std::string>& arguments, const std::string& expected) {
  const auto result = run_dtf(arguments);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  ASSERT_FALSE(result.err.empty());
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
  EXPECT_FALSE(dtf::invalid_utf8_at(result.err)) << result.err;
  for (const char c : result.err.substr(0, result.err.size() - 1))
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) << "raw control character in: " << result.err;
  const auto colon = result.err.find(": ");
  ASSERT_NE(colon, std::string::npos) << result.err;
  EXPECT_EQ(result.err.substr(colon + 2), expected + "\n");
}

TEST(hostile_input, number_beyond_a_double_in_a_json_suite) {
  const auto file = hostile("suite_number_overflow.json");
  expect_input_error({"plan", file, "--fleet", example_fleet},
                     file + ":6: field 'tasks[0].requirements.min_memory_gb': number out of range");
  expect_input_error({"run", file, "--no-local", "--fleet", example_fleet, "--output-dir", temp_path("out")},
                     file + ":6: field 'tasks[0].requirements.min_memory_gb': number out of range");
}

TEST(hostile_input, number_beyond_a_double_in_a_yaml_suite) {
  const auto file = hostile("suite_number_overflow.yaml");
  expect_input_error({"plan", file, "--fleet", example_fleet},
                     file + ":5: field 'requirements.min_memory_gb': number out of range: '1e400'");
}

TEST(hostile_input, number_beyond_a_double_in_a_json_fleet) {
  const auto file = hostile("fleet_number_overflow.json");
  expect_input_error({"plan", example_suite, "--fleet", file}, file + ":2: field 'workers[0].memory_gb': number out of range");
}

TEST(hostile_input, number_beyond_a_double_in_a_trace) {
  const auto file = hostile("trace_number_overflow.jsonl");
  expect_input_error({"simulate", "--trace", file, "--fleet", example_fleet},
                     file + ":2: field 'duration.cpu': number out of range");
}

TEST(hostile_input, number_beyond_a_double_in_results) {
  const auto file = hostile("results_number_overflow.jsonl");
  expect_input_error({"report", file, "--html", temp_path("report.html")},
                     file + ":1: field 'duration_s': number out of range");
}

TEST(hostile_input, matrix_of_aliases_to_one_list_fails_before_expanding) {
  const auto file = hostile("suite_alias_matrix.yaml");
  const std::string message = file + ":3: field 'matrix': the matrix makes 100000000 combinations (100 x 100 x 100 x 100), "
                                     "more than the limit of ";
  expect_input_error({"plan", file, "--fleet", example_fleet}, message + "1000000 tasks (change it with --max-tasks N)");
  expect_input_error({"run", file, "--no-local", "--fleet", example_fleet, "--max-tasks", "20"},
                     message + "20 tasks (change it with --max-tasks N)");
}

TEST(hostile_input, max_tasks_flag_limits_every_suite) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--max-tasks", "5"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("more than the limit of 5 tasks"), std::string::npos) << result.err;
  EXPECT_EQ(run_dtf({"plan", example_suite, "--fleet", example_fleet, "--max-tasks", "19"}).exit_code, 0);
  EXPECT_EQ(run_dtf({"plan", example_suite, "--fleet", example_fleet, "--max-tasks", "0"}).exit_code, 2);
}

TEST(hostile_input, invalid_utf8_in_a_yaml_model_is_rejected_with_its_position) {
  const auto file = hostile("suite_invalid_utf8_model.yaml");
  const std::string message = file + ":4: field 'model': invalid UTF-8 in 'bert-\\xff\\xfe' (byte 6 of the value)";
  expect_input_error({"plan", file, "--fleet", example_fleet}, message);
  expect_input_error({"run", file, "--no-local", "--fleet", example_fleet, "--output-dir", temp_path("out")}, message);
}

TEST(hostile_input, invalid_utf8_in_a_json_model_is_rejected_with_its_position) {
  const auto file = hostile("suite_invalid_utf8_model.json");
  expect_input_error({"plan", file, "--fleet", example_fleet},
                     file + ":3: field 'tasks[0].model': invalid UTF-8 (byte 0xff at column 19)");
}

TEST(hostile_input, invalid_utf8_in_a_trace_and_in_results) {
  const auto trace = hostile("trace_invalid_utf8.jsonl");
  expect_input_error({"simulate", "--trace", trace, "--fleet", example_fleet},
                     trace + ":1: field 'model': invalid UTF-8 (byte 0xc0 at column 25)");
  const auto results = hostile("results_invalid_utf8.jsonl");
  expect_input_error({"report", results, "--html", temp_path("report.html")},
                     results + ":2: field 'task': invalid UTF-8 (byte 0xed at column 11)");
}

TEST(hostile_input, control_characters_are_escaped_in_messages) {
  const auto quoted_key = hostile("suite_control_characters.yaml");
  expect_input_error({"plan", quoted_key, "--fleet", example_fleet},
                     quoted_key + ":4: field 'ty\\x1b[31mpe\\x07': unknown key 'ty\\x1b[31mpe\\x07' (known keys: id type "
                                  "priority model batch_size requirements command env working_directory timeout retries matrix)");
  const auto raw_key = hostile("suite_raw_control_key.yaml");
  const auto result = run_dtf({"plan", raw_key, "--fleet", example_fleet});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << result.err;
  const auto fleet = hostile("fleet_control_characters.yaml");
  expect_input_error({"plan", example_suite, "--fleet", fleet},
                     fleet + ":3: field 'workers[0].kind': unknown worker kind 'cp\\x1b]0;owned\\x07u' (expected cpu, cuda or rocm)");
}

TEST(hostile_input, an_8_mb_value_is_cut_in_the_message) {
  const auto file = temp_path("long-value.yaml");
  std::ofstream{file} << "tasks:\n  - id: a\n    command: \"true\"\n    type: " << std::string(8'000'000, 'x') << "\n";
  expect_input_error({"plan", file, "--fleet", example_fleet},
                     file + ":4: field 'type': unknown task type '" + std::string(80, 'x') +
                         "...(8000000 bytes)' (expected benchmark, test, custom)");
  std::filesystem::remove(file);
}

TEST(hostile_input, a_file_over_the_size_limit_is_refused) {
  const auto file = temp_path("huge.yaml");
  { std::ofstream{file}; }
  std::filesystem::resize_file(file, (std::uintmax_t{64} << 20) + 1);  // sparse: no disk written
  expect_input_error({"plan", file, "--fleet", example_fleet},
                     file + ": the file is larger than the input limit of 67108864 bytes (64 MiB)");
  std::filesystem::remove(file);
}

} // namespace

namespace {

TEST(hostile_input, a_journal_file_that_is_not_a_database_is_bad_input) {
  const auto journal = temp_path("garbage.sqlite");
  const auto suite = temp_path("one-task.yaml");
  std::ofstream{journal} << std::string(5000, '\xff') << "\x1b[31m";
  std::ofstream{suite} << "tasks:\n  - command: \"true\"\n";
  const auto result = run_dtf({"run", suite, "--no-local", "--fleet", example_fleet, "--journal", journal,
                               "--output-dir", temp_path("out")});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("journal '" + journal + "'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("file is not a database"), std::string::npos) << result.err;
  std::filesystem::remove(journal);
  std::filesystem::remove(suite);
}

} // namespace

namespace {

TEST(hostile_input, endless_or_unreadable_files_end_in_a_clear_error) {
  // /dev/zero never ends and has no newline: the reader stops at the size limit.
  const std::string too_large = "/dev/zero: the file is larger than the input limit of 67108864 bytes (64 MiB)";
  expect_input_error({"report", "/dev/zero", "--html", temp_path("report.html")}, too_large);
  expect_input_error({"simulate", "--trace", "/dev/zero", "--fleet", example_fleet}, too_large);
  expect_input_error({"plan", "/dev/zero", "--fleet", example_fleet}, too_large);
  const auto directory = std::filesystem::temp_directory_path().string();
  expect_input_error({"report", directory, "--html", temp_path("report.html")}, directory + ": cannot read file");
}

} // namespace

namespace {

TEST(hostile_input, demo_counts_and_seeds_are_whole_numbers_in_range) {
  // Before: parsed as doubles and cast, so 2.5 workers ran 2, 1e300 was an
  // undefined cast, and 99999999 workers ran until killed.
  const std::string workers = "--num-workers needs a whole number from 1 to 100000, got '";
  for (const char* bad : {"0", "2.5", "99999999", "1e300", "-1", ""})
    expect_input_error({"demo", "--num-workers", bad}, workers + bad + "' (see dtf demo --help)");
  const std::string seed = "--seed needs a whole number from 0 to 18446744073709551615, got '";
  for (const char* bad : {"1e30", "18446744073709551616", "-1", "7.5"})
    expect_input_error({"demo", "--seed", bad}, seed + bad + "' (see dtf demo --help)");
}

TEST(hostile_input, clock_and_slot_values_are_bounded) {
  // Before: --max-tasks-per-worker 3e9 was an undefined cast (INT_MIN slots:
  // the run waited forever); waits past about 9e9 s wrap a 64-bit nanosecond
  // timer negative, so they fired at once (tasks "finished" instantly, the
  // metrics loop spun, the demo ended at once).
  const std::string suite = example_suite;
  expect_input_error({"run", suite, "--no-journal", "--max-tasks-per-worker", "3e9"},
                     "--max-tasks-per-worker needs a whole number from 1 to 4096 (see dtf run --help)");
  expect_input_error({"run", suite, "--no-journal", "--time-scale", "1e9"},
                     "--time-scale needs a number from 0 to 1e+06, got '1e9' (see dtf run --help)");
  expect_input_error({"run", suite, "--no-journal", "--metrics-interval", "1e10"},
                     "--metrics-interval needs a number from 0 to 86400, got '1e10' (see dtf run --help)");
  expect_input_error({"plan", suite, "--fleet", example_fleet, "--max-tasks-per-worker", "5000"},
                     "--max-tasks-per-worker takes a whole number from 1 to 4096, got '5000'");
  expect_input_error({"demo", "--run-time", "1e10"},
                     "--run-time needs a number from 0 to 1e+09, got '1e10' (see dtf demo --help)");
  expect_input_error({"demo", "--time-scale", "1e7"},
                     "--time-scale needs a number from 0 to 1e+06, got '1e7' (see dtf demo --help)");
  const auto fleet = temp_path("slots.yaml");
  std::ofstream{fleet} << "workers:\n  - {id: a, kind: cpu, slots: 1073741824, count: 2}\n";
  expect_input_error({"plan", suite, "--fleet", fleet},
                     fleet + ":2: field 'workers[0].slots': must be at most 4096, got 1073741824");
  std::filesystem::remove(fleet);
}

TEST(hostile_input, an_unusable_output_directory_is_bad_input_not_an_abort) {
  // Before: std::filesystem's error escaped every handler and aborted (a core
  // dump), and `--families` made the directory only after all its runs.
  const auto file = temp_path("not-a-directory");
  std::ofstream{file} << "x";
  const auto result = run_dtf({"bench", "scheduling", "--families", "--family", "philly", "--arrivals", "batch",
                               "--seeds", "1", "--tasks", "10", "--out", file + "/out"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("dtf bench: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("scenario families"), std::string::npos) << "nothing ran: " << result.out;
  std::filesystem::remove(file);
}

} // namespace
