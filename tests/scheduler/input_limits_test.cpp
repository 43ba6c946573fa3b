// The caps on what dtf reads (scheduler/input/input_limits.hpp) and the message-safe
// text of errors (scheduler/input/utf8_text.hpp).
#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/input/input_document.hpp"
#include "scheduler/input/suite_parser.hpp"
#include "scheduler/input/utf8_text.hpp"
#include "tests/scheduler/expect_input_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dtf {
namespace {

using testing::expect_input_error_from;

suite parse(const std::string& text, const suite_options& options = {}) {
  return parse_suite_text(text, "limits.yaml", input_format::yaml, options);
}

std::string list_of(int n) {
  std::string list = "[";
  for (int i = 0; i < n; ++i) list += (i ? "," : "") + std::to_string(i);
  return list + "]";
}

TEST(input_limits, a_matrix_is_counted_before_it_is_expanded) {
  const std::string text = "tasks:\n  - id: one\n    command: \"true\"\n  - command: \"echo {a}\"\n    matrix:\n"
                           "      a: &v " + list_of(20) + "\n      b: *v\n      c: *v\n      include: [{a: x}]\n";
  suite_options options;
  options.max_tasks = 8002;
  EXPECT_EQ(parse(text, options).tasks.size(), 1u + 20u * 20u * 20u + 1u);
  options.max_tasks = 8001;
  expect_input_error_from([&] { parse(text, options); }, "limits.yaml", 5, "matrix",
                          "the matrix makes 8001 combinations (20 x 20 x 20 + 1 included) after 1 tasks, more "
                          "than the limit of 8001 tasks (change it with --max-tasks N)");
}

TEST(input_limits, a_product_past_2_to_the_64_is_refused_without_overflowing) {
  std::string text = "tasks:\n  - command: \"true\"\n    matrix:\n      a: &v " + list_of(1000) + "\n";
  for (char key = 'b'; key <= 'h'; ++key) text += std::string("      ") + key + ": *v\n";
  expect_input_error_from([&] { parse(text); }, "limits.yaml", 3, "matrix", "the matrix makes more than 2^64 combinations");
}

TEST(input_limits, plain_task_entries_count_towards_the_limit) {
  suite_options options;
  options.max_tasks = 2;
  expect_input_error_from([&] { parse("tasks:\n  - {id: a}\n  - {id: b}\n  - {id: c}\n", options); }, "limits.yaml", 4, "",
                          "the suite has more than 2 tasks, the limit (change it with --max-tasks N)");
}

TEST(input_limits, include_and_exclude_entries_times_combinations_are_bounded) {
  std::string rules = "[&r {a: 1, b: 1}";
  for (int i = 0; i < 10'000; ++i) rules += ", *r";
  const std::string text = "tasks:\n  - command: \"echo {a}{b}\"\n    matrix:\n      a: &v " + list_of(100) + "\n      b: *v\n"
                           "      exclude: " + rules + "]\n";
  expect_input_error_from([&] { parse(text); }, "limits.yaml", 3, "matrix",
                          "the matrix compares 10001 include/exclude entries with 10000 combinations, more than the "
                          "limit of 100000000 comparisons");
}

TEST(input_limits, a_long_list_repeated_by_aliases_is_bounded_by_the_task_text) {
  std::string labels = "[";
  for (int i = 0; i < 1000; ++i) labels += (i ? ",l" : "l") + std::to_string(i);
  const std::string text = "defaults:\n  requirements: {labels: " + labels + "]}\ntasks:\n  - command: \"echo {a}\"\n"
                           "    matrix: {a: " + list_of(100) + "}\n";
  EXPECT_EQ(parse(text).tasks.size(), 100u);
  suite_options options;
  options.max_task_text_bytes = 1'000'000;  // ~37 KB of labels per task
  expect_input_error_from([&] { parse(text, options); }, "limits.yaml", 4, "",
                          "the suite's tasks hold more than 1000000 bytes of text");
}

TEST(input_limits, a_fleet_describes_at_most_100000_workers) {
  std::string text = "workers:\n";
  for (int i = 0; i < 25; ++i) text += "  - {id: w" + std::to_string(i) + ", kind: cpu, count: 4096}\n";
  expect_input_error_from([&] { parse_fleet_text(text, "fleet.yaml", input_format::yaml); }, "fleet.yaml", 26, "workers[24]",
                          "the fleet has more than 100000 workers, the limit");
}

TEST(input_limits, suggestions_only_for_short_words) {
  const std::string_view known[] = {"model", "type"};
  EXPECT_EQ(closest_name("modle", known), "model");
  EXPECT_EQ(closest_name(std::string(65, 'm') , known), "");
  EXPECT_EQ(closest_name(std::string(8'000'000, 'k'), known), "");
}

TEST(input_limits, numbers_past_a_double_or_a_long_long_are_out_of_range) {
  expect_input_error_from([] { parse("tasks:\n  - command: \"true\"\n    requirements: {min_memory_gb: 1e400}\n"); },
                          "limits.yaml", 3, "requirements.min_memory_gb", "number out of range: '1e400'");
  expect_input_error_from([] { parse("tasks:\n  - command: \"true\"\n    priority: 99999999999999999999\n"); },
                          "limits.yaml", 3, "priority", "number out of range: '99999999999999999999'");
  expect_input_error_from(
      [] { parse_suite_text("{\"tasks\": [{\"command\": \"true\",\n \"priority\": -1e999}]}", "s.json", input_format::json); },
      "s.json", 2, "tasks[0].priority", "number out of range");
}

TEST(utf8_text, finds_the_first_ill_formed_byte) {
  EXPECT_FALSE(invalid_utf8_at("plain, \xc3\xa9t\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"));
  EXPECT_EQ(invalid_utf8_at("ab\xff"), 2u);
  EXPECT_EQ(invalid_utf8_at("a\xc0\x80"), 1u);          // overlong NUL
  EXPECT_EQ(invalid_utf8_at("a\xe0\x80\xaf"), 1u);      // overlong '/'
  EXPECT_EQ(invalid_utf8_at("a\xed\xa0\x80"), 1u);      // surrogate U+D800
  EXPECT_EQ(invalid_utf8_at("a\xf4\x90\x80\x80"), 1u);  // past U+10FFFF
  EXPECT_EQ(invalid_utf8_at("a\xe2\x82"), 1u);          // cut short
}

TEST(utf8_text, message_text_escapes_controls_and_invalid_bytes) {
  EXPECT_EQ(message_text("a\x1b[31mb\n\t\r\x7f"), "a\\x1b[31mb\\n\\t\\r\\x7f");
  EXPECT_EQ(message_text("bad \xff\xfe ok \xc3\xa9"), "bad \\xff\\xfe ok \xc3\xa9");
  EXPECT_EQ(message_text("csi \xc2\x9b" "31m"), "csi \\u009b31m");
  EXPECT_EQ(message_text(std::string("nul\0byte", 8)), "nul\\x00byte");
}

TEST(utf8_text, message_text_cuts_long_values_on_a_character_boundary) {
  EXPECT_EQ(message_text(std::string(100, 'x')), std::string(80, 'x') + "...(100 bytes)");
  EXPECT_EQ(message_text(std::string(80, 'x')), std::string(80, 'x'));
  // 79 bytes and a 2-byte character: the character does not fit whole, so it goes.
  EXPECT_EQ(message_text(std::string(79, 'x') + "\xc3\xa9"), std::string(79, 'x') + "...(81 bytes)");
}

TEST(utf8_text, input_errors_are_one_escaped_bounded_line) {
  const input_error e("f\x1b.yaml", 3, std::string(500, 'k') + "\n", "bad \xff value\nnext line");
  const std::string what = e.what();
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  EXPECT_EQ(what.find('\x1b'), std::string::npos) << what;
  EXPECT_FALSE(invalid_utf8_at(what)) << what;
  EXPECT_NE(what.find("...(501 bytes)"), std::string::npos) << what;
  EXPECT_NE(what.find("bad \\xff value\\nnext line"), std::string::npos) << what;
}

} // namespace
} // namespace dtf
