#include "scheduler/input/input_error.hpp"
#include "scheduler/simulation/trace.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace dtf {
namespace {

trace parse(const std::string& text) {
  std::istringstream in(text);
  return parse_trace(in, "t.jsonl");
}

/// Parses and returns the error, failing the test when none is thrown.
input_error parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const input_error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << text;
  return input_error("", 0, "", "");
}

const std::string good_line =
    R"({"id":"t1","arrival":0.0,"type":"benchmark","model":"resnet50","batch_size":64,"priority":1,)"
    R"("requirements":{"hardware":["cuda"],"min_memory_gb":8},"duration":{"V100":120.5,"K80":850.0,"cpu":5000},"load":12.0})";

worker_capability worker(std::string name, device_kind kind) {
  worker_capability w;
  w.id = name;
  w.name = std::move(name);
  w.kind = kind;
  return w;
}

TEST(trace, parses_the_design_example) {
  const auto t = parse(good_line + "\n\n");
  ASSERT_EQ(t.tasks.size(), 1u);
  const auto& task = t.tasks[0];
  EXPECT_EQ(task.spec.id, "t1");
  EXPECT_EQ(task.spec.type, task_type::benchmark);
  EXPECT_EQ(task.spec.model, "resnet50");
  EXPECT_EQ(task.spec.batch_size, 64);
  EXPECT_EQ(task.spec.priority, 1);
  ASSERT_EQ(task.spec.requirements.hardware.size(), 1u);
  EXPECT_EQ(task.spec.requirements.hardware[0], device_kind::cuda);
  EXPECT_DOUBLE_EQ(task.spec.requirements.min_memory_gb, 8.0);
  ASSERT_EQ(task.duration_s.size(), 3u);
  EXPECT_EQ(task.duration_s[1].first, "K80");  // file order kept
  EXPECT_DOUBLE_EQ(task.load_s, 12.0);
  EXPECT_EQ(task.line, 1);
}

TEST(trace, names_line_and_field_of_a_wrong_type) {
  const auto e = parse_error(good_line + "\n" + R"({"id":"t2","arrival":"soon","duration":{"cpu":1}})");
  EXPECT_EQ(e.file(), "t.jsonl");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.field(), "arrival");
}

TEST(trace, rejects_an_unknown_key_by_name) {
  const auto e = parse_error(R"({"id":"t","duration":{"cpu":1},"arival":3})");
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.field(), "arival");
}

TEST(trace, rejects_an_unknown_hardware_kind_inside_requirements) {
  const auto e = parse_error("\n" + std::string{R"({"id":"t","duration":{"cpu":1},"requirements":{"hardware":["gpu"]}})"});
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.field(), "requirements.hardware");
}

TEST(trace, rejects_non_positive_durations_naming_the_device) {
  const auto e = parse_error(R"({"id":"t","duration":{"V100":0}})");
  EXPECT_EQ(e.field(), "duration.V100");
}

TEST(trace, rejects_negative_load_and_missing_duration) {
  EXPECT_EQ(parse_error(R"({"id":"t","duration":{"cpu":1},"load":-1})").field(), "load");
  EXPECT_EQ(parse_error(R"({"id":"t"})").field(), "duration");
  EXPECT_EQ(parse_error(R"({"id":"t","duration":{}})").field(), "duration");
  EXPECT_EQ(parse_error(R"({"arrival":1,"duration":{"cpu":1}})").field(), "id");
}

TEST(trace, rejects_times_past_32_years_naming_the_field) {
  // Before: accepted, and a 1e308 s duration printed a 300-digit makespan (two of them an infinite mean).
  for (const auto& [line, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"id":"t","duration":{"V100":1e308}})", "duration.V100"},
           {R"({"id":"t","arrival":1.5e9,"duration":{"cpu":1}})", "arrival"},
           {R"({"id":"t","duration":{"cpu":1},"load":1e10})", "load"}}) {
    const auto e = parse_error(line);
    EXPECT_EQ(e.field(), field);
    EXPECT_NE(std::string{e.what()}.find("must be at most 1e9 s (about 32 years)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse(R"({"id":"t","arrival":1e9,"duration":{"cpu":1e9},"load":1e9})").tasks.size(), 1u);
}

TEST(trace, rejects_duplicate_ids_on_the_second_line) {
  const auto e = parse_error(good_line + "\n" + good_line);
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.field(), "id");
}

TEST(trace, reports_invalid_json_with_its_line) {
  const auto e = parse_error(good_line + "\n{\"id\": \n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(std::string{e.what()}.find("t.jsonl:2"), std::string::npos);
}

TEST(trace, written_trace_reads_back_identically) {
  const auto original = parse(good_line);
  std::ostringstream out;
  write_trace(out, original);
  const auto again = parse(out.str());
  ASSERT_EQ(again.tasks.size(), 1u);
  EXPECT_EQ(again.tasks[0].duration_s, original.tasks[0].duration_s);
  EXPECT_EQ(again.tasks[0].spec.requirements.min_memory_gb, 8.0);
  EXPECT_EQ(again.tasks[0].load_s, 12.0);
}

TEST(trace, duration_lookup_prefers_exact_name_then_substring_then_kind) {
  auto t = parse(R"({"id":"t","duration":{"NVIDIA Tesla V100":10,"V100":20,"cuda":30,"cpu":40}})").tasks[0];
  EXPECT_EQ(true_duration_s(t, worker("NVIDIA Tesla V100", device_kind::cuda)), 10.0);
  EXPECT_EQ(true_duration_s(t, worker("Tesla v100-SXM2", device_kind::cuda)), 20.0);
  EXPECT_EQ(true_duration_s(t, worker("NVIDIA A100", device_kind::cuda)), 30.0);
  EXPECT_EQ(true_duration_s(t, worker("AMD EPYC", device_kind::cpu)), 40.0);
  EXPECT_EQ(true_duration_s(t, worker("AMD MI100", device_kind::rocm)), std::nullopt);
}

TEST(trace, duration_lookup_takes_the_longest_matching_name) {
  auto t = parse(R"({"id":"t","duration":{"MI10":5,"MI100":7}})").tasks[0];
  EXPECT_EQ(true_duration_s(t, worker("AMD Instinct MI100", device_kind::rocm)), 7.0);
}

} // namespace
} // namespace dtf
