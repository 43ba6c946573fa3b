// Fuzzing the suite and fleet parsers (tests/scheduler/input_fuzz.hpp): any
// bytes end in a parsed document or one readable input_error.
#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/input/suite_parser.hpp"
#include "tests/scheduler/input_fuzz.hpp"

namespace dtf {
namespace {

using testing::check_fuzz;
using testing::fuzzed_text;
using testing::rc_assert_only_input_errors;

const std::string matrix_suite = R"(suite: fuzz
defaults: {type: test, timeout: 30s, env: {A: "1"}}
tasks:
  - id: "{model}-{n}"
    command: "echo {id} {n}"
    matrix:
      model: &models [bert, t5]
      n: [1, 2, 3]
      include: [{model: bert, extra: x}]
      exclude: [{model: t5, n: 3}]
    requirements: {hardware: [cpu, cuda], min_memory_gb: 1.5, labels: fast}
)";

const std::string json_fleet = R"({"workers": [{"id": "c", "kind": "cpu", "memory_gb": 8, "cores": 4, "slots": 1},
  {"id": "g", "kind": "cuda", "name": "A100", "memory_gb": 40, "compute_capability": 8.0, "count": 2}]})";

std::vector<std::string> suite_seeds() {
  return {testing::read_source_file("examples/suite.yaml"), testing::read_source_file("tests/fixtures/suites/example.json"),
          matrix_suite};
}

std::vector<std::string> fleet_seeds() { return {testing::read_source_file("examples/fleet.yaml"), json_fleet}; }

TEST(input_fuzz, suite_parser_throws_only_input_errors) {
  check_fuzz([seeds = suite_seeds()] {
    const std::string text = *fuzzed_text(seeds);
    const auto format = *rc::gen::element(input_format::yaml, input_format::json);
    suite_options options;
    options.max_tasks = 10'000;  // keeps each case fast; the cap itself is part of what is fuzzed
    rc_assert_only_input_errors([&] { parse_suite_text(text, "fuzz.suite", format, options); });
  });
}

TEST(input_fuzz, fleet_parser_throws_only_input_errors) {
  check_fuzz([seeds = fleet_seeds()] {
    const std::string text = *fuzzed_text(seeds);
    const auto format = *rc::gen::element(input_format::yaml, input_format::json);
    rc_assert_only_input_errors([&] { parse_fleet_text(text, "fuzz.fleet", format); });
  });
}

TEST(input_fuzz, parsed_suites_hold_only_valid_utf8_text) {
  check_fuzz([seeds = suite_seeds()] {
    const std::string text = *fuzzed_text(seeds);
    const auto format = *rc::gen::element(input_format::yaml, input_format::json);
    suite parsed;
    try {
      parsed = parse_suite_text(text, "fuzz.suite", format);
    } catch (const input_error&) {
      return;  // rejected: the property above checks the message
    }
    for (const auto& t : parsed.tasks) {
      RC_ASSERT(!invalid_utf8_at(t.id));
      RC_ASSERT(!invalid_utf8_at(t.model));
      for (const auto& word : t.command) RC_ASSERT(!invalid_utf8_at(word));
      for (const auto& [name, value] : t.env) RC_ASSERT(!invalid_utf8_at(name) && !invalid_utf8_at(value));
    }
  });
}

} // namespace
} // namespace dtf
