#include "scheduler/input/suite_parser.hpp"
#include "scheduler/model/duration_text.hpp"
#include "tests/scheduler/expect_input_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using dtf::parse_suite_text;
using dtf::suite_format;

dtf::suite parse_yaml(std::string_view text) { return parse_suite_text(text, "suite.yaml", suite_format::yaml); }

/// Parses text that must fail, and checks that the message names file, line and field.
void expect_input_error(std::string_view text, int line, const std::string& field, const std::string& fragment,
                        suite_format format = suite_format::yaml) {
  const std::string file = format == suite_format::json ? "bad.json" : "bad.yaml";
  dtf::testing::expect_input_error_from([&] { (void)parse_suite_text(text, file, format); }, file, line, field,
                                        fragment);
}

std::vector<std::string> ids_of(const dtf::suite& s) {
  std::vector<std::string> ids;
  for (const auto& t : s.tasks) ids.push_back(t.id);
  return ids;
}

} // namespace

// ---- errors: every one names file, line and field -------------------------

TEST(suite_parser_errors, unknown_task_key_suggests_the_closest_known_key) {
  expect_input_error(R"(tasks:
  - id: a
    modle: bert-base
)",
                     3, "modle", "did you mean 'model'?");
}

TEST(suite_parser_errors, unknown_requirement_key_suggests_the_closest_known_key) {
  expect_input_error(R"(tasks:
  - id: a
    requirements:
      hardware: [cuda]
      min_memroy_gb: 4
)",
                     5, "requirements.min_memroy_gb", "did you mean 'min_memory_gb'?");
}

TEST(suite_parser_errors, unknown_top_level_key_is_rejected) {
  expect_input_error("suite: s\ntask:\n  - id: a\n", 2, "task", "did you mean 'tasks'?");
}

TEST(suite_parser_errors, wrong_type_for_an_integer_field) {
  expect_input_error("tasks:\n  - id: a\n    batch_size: eight\n", 3, "batch_size", "expected an integer");
}

TEST(suite_parser_errors, quoted_number_is_a_string_not_a_number) {
  expect_input_error("tasks:\n  - id: a\n    requirements: {min_memory_gb: \"8\"}\n", 3,
                     "requirements.min_memory_gb", "expected a number, got string \"8\"");
}

TEST(suite_parser_errors, wrong_type_for_requirements) {
  expect_input_error("tasks:\n  - id: a\n    requirements: [cuda]\n", 3, "requirements", "expected a mapping");
}

TEST(suite_parser_errors, negative_memory_is_rejected) {
  expect_input_error(R"(tasks:
  - id: a
    requirements:
      min_memory_gb: -4
)",
                     4, "requirements.min_memory_gb", "must be >= 0, got -4");
}

TEST(suite_parser_errors, negative_batch_size_is_rejected) {
  expect_input_error("tasks:\n  - id: a\n    batch_size: -1\n", 3, "batch_size", "must be >= 1");
}

TEST(suite_parser_errors, negative_retries_are_rejected) {
  expect_input_error("tasks:\n  - id: a\n    retries: -2\n", 3, "retries", "must be >= 0");
}

TEST(suite_parser_errors, negative_and_malformed_timeouts_are_rejected) {
  expect_input_error("tasks:\n  - id: a\n    timeout: -5\n", 3, "timeout", "must be > 0");
  expect_input_error("tasks:\n  - id: a\n    timeout: 10 minutes\n", 3, "timeout", "is not a duration");
  expect_input_error("tasks:\n  - id: a\n    timeout: 0s\n", 3, "timeout", "must be > 0");
}

TEST(suite_parser_errors, unknown_hardware_kind_is_rejected) {
  expect_input_error("tasks:\n  - id: a\n    requirements:\n      hardware: [cuda, cdua]\n", 4,
                     "requirements.hardware", "unknown hardware kind 'cdua' (did you mean 'cuda'?)");
  expect_input_error("tasks:\n  - id: a\n    requirements: {hardware: gpu}\n", 3, "requirements.hardware",
                     "unknown hardware kind 'gpu'");
}

TEST(suite_parser_errors, unknown_task_type_is_rejected) {
  expect_input_error("tasks:\n  - id: a\n    type: benchmrk\n", 3, "type", "did you mean 'benchmark'?");
}

TEST(suite_parser_errors, duplicate_id_names_where_the_first_was) {
  expect_input_error(R"(tasks:
  - id: a
  - id: b
  - id: a
)",
                     4, "id", "duplicate id 'a' (first defined at bad.yaml:2)");
}

TEST(suite_parser_errors, id_template_that_is_not_unique_across_the_matrix_is_a_duplicate) {
  expect_input_error(R"(tasks:
  - id: "{model}"
    matrix: {model: [a, b], batch_size: [1, 2]}
)",
                     2, "id", "duplicate id 'a'");
}

TEST(suite_parser_errors, empty_matrix_is_rejected) {
  expect_input_error("tasks:\n  - matrix: {}\n", 2, "matrix", "the matrix is empty");
}

TEST(suite_parser_errors, empty_matrix_value_list_is_rejected) {
  expect_input_error("tasks:\n  - matrix:\n      model: []\n", 3, "matrix.model", "at least one value");
}

TEST(suite_parser_errors, matrix_that_excludes_everything_is_rejected) {
  expect_input_error(R"(tasks:
  - matrix:
      model: [a]
      exclude: [{model: a}]
)",
                     2, "matrix", "excludes every combination");
}

TEST(suite_parser_errors, exclude_must_name_matrix_keys) {
  expect_input_error(R"(tasks:
  - matrix:
      model: [a, b]
      exclude:
        - {modle: a}
)",
                     5, "matrix.exclude[0].modle", "not a matrix key");
}

TEST(suite_parser_errors, matrix_key_may_not_also_be_set_by_the_task) {
  expect_input_error(R"(tasks:
  - model: x
    matrix:
      model: [a, b]
)",
                     4, "matrix.model", "set both by the task and by its matrix");
}

TEST(suite_parser_errors, placeholder_with_no_value_suggests_a_known_one) {
  expect_input_error(R"(tasks:
  - id: a
    model: bert-base
    command: [run, --model, "{modle}"]
)",
                     4, "command[2]", "placeholder {modle} has no value (did you mean {model}?)");
}

TEST(suite_parser_errors, placeholder_for_an_unset_field_has_no_value) {
  expect_input_error("tasks:\n  - id: a\n    env: {BATCH: \"{batch_size}\"}\n", 3, "env.BATCH",
                     "placeholder {batch_size} has no value");
}

TEST(suite_parser_errors, literal_identifier_in_braces_says_how_to_write_it) {
  expect_input_error("tasks:\n  - id: a\n    command: [awk, \"{print}\"]\n", 3, "command[1]",
                     "a literal {print} is written {{print}}");
}

TEST(suite_parser_errors, matrix_key_that_cannot_be_a_placeholder_is_rejected) {
  expect_input_error("tasks:\n  - command: [run]\n    matrix: {\"2x\": [a]}\n", 3, "matrix.2x",
                     "not usable as a {placeholder}");
}

TEST(suite_parser, braces_that_are_not_placeholders_are_literal) {
  const auto s = parse_yaml(R"(tasks:
  - id: a
    command: [sh, -c, "echo \"DTF_METRICS {\\\"sort_ms\\\": 1}\"; awk '{ s += $1 } END { print s }'"]
)");
  EXPECT_EQ(s.tasks.at(0).command.at(2), R"(echo "DTF_METRICS {\"sort_ms\": 1}"; awk '{ s += $1 } END { print s }')");
}

TEST(suite_parser_errors, empty_task_list_is_rejected) {
  expect_input_error("suite: s\ntasks: []\n", 2, "tasks", "the task list is empty");
}

TEST(suite_parser_errors, missing_task_list_is_rejected) {
  expect_input_error("suite: s\n", 1, "tasks", "needs a 'tasks' list");
}

TEST(suite_parser_errors, empty_command_is_rejected) {
  expect_input_error("tasks:\n  - id: a\n    command: []\n", 3, "command", "must not be empty");
  expect_input_error("tasks:\n  - id: a\n    command: \"echo 'unterminated\"\n", 3, "command", "unterminated");
}

TEST(suite_parser_errors, duplicate_mapping_key_is_rejected) {
  expect_input_error("tasks:\n  - id: a\n    retries: 1\n    retries: 2\n", 4, "retries",
                     "duplicate key 'retries' (first at line 3)");
}

TEST(suite_parser_errors, errors_in_defaults_name_the_defaults_field) {
  expect_input_error(R"(defaults:
  timeout: 10m
  requirements:
    min_memory_gb: -1
tasks:
  - id: a
)",
                     4, "defaults.requirements.min_memory_gb", "must be >= 0");
}

TEST(suite_parser_errors, yaml_syntax_error_has_its_line) {
  expect_input_error("tasks:\n  - id: a\n    command: [echo, x\n  - id: b\n", 4, "", "invalid YAML");
}

TEST(suite_parser_errors, json_syntax_error_has_its_line) {
  expect_input_error("{\n  \"tasks\": [\n    {\"id\": \"a\",}\n  ]\n}\n", 3, "", "invalid JSON", suite_format::json);
}

TEST(suite_parser_errors, json_field_error_has_its_line) {
  expect_input_error(R"({
  "tasks": [
    {"id": "a"},
    {"id": "b",
     "requirements": {"min_memory_gb": -4}}
  ]
})",
                     5, "requirements.min_memory_gb", "must be >= 0, got -4", suite_format::json);
}

TEST(suite_parser_errors, missing_file_names_the_file) {
  try {
    (void)dtf::parse_suite_file("/nonexistent/suite.yaml");
    ADD_FAILURE() << "expected an input_error";
  } catch (const dtf::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/suite.yaml"), std::string::npos) << e.what();
  }
}

// ---- expansion, defaults, placeholders ------------------------------------

TEST(suite_parser, matrix_expands_as_a_cartesian_product_in_written_order) {
  const auto s = parse_yaml(R"(suite: sweep
tasks:
  - matrix:
      model: [t5-small, t5-base]
      batch_size: [1, 8]
    command: [bench, "{model}", "{batch_size}"]
  - id: after
)");
  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"t5-small-b1", "t5-small-b8", "t5-base-b1", "t5-base-b8", "after"}));
  for (std::size_t i = 0; i < s.tasks.size(); ++i) EXPECT_EQ(s.tasks[i].sequence, i);
  EXPECT_EQ(s.tasks[1].model, "t5-small");
  EXPECT_EQ(s.tasks[1].batch_size, 8);
  EXPECT_EQ(s.tasks[2].command, (std::vector<std::string>{"bench", "t5-base", "1"}));
  EXPECT_EQ(s.tasks[0].origin, "suite.yaml:3");
  EXPECT_EQ(s.tasks[4].origin, "suite.yaml:7");
}

TEST(suite_parser, matrix_keys_that_are_not_fields_are_placeholders_and_distinguish_ids) {
  const auto s = parse_yaml(R"(tasks:
  - model: meta-llama/Llama-2-7b-hf
    matrix: {precision: [fp16, bf16]}
    command: [run, "--precision={precision}"]
)");
  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"llama-2-7b-hf-fp16", "llama-2-7b-hf-bf16"}));
  EXPECT_EQ(s.tasks[1].command[1], "--precision=bf16");
}

TEST(suite_parser, matrix_exclude_and_include_follow_ci_semantics) {
  const auto s = parse_yaml(R"(tasks:
  - matrix:
      model: [a, b]
      batch_size: [1, 2]
      exclude:
        - {model: b, batch_size: 1}
      include:
        - {model: a, note: first}
        - {model: c, batch_size: 4}
    command: [run, "{model}"]
)");
  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"a-b1-first", "a-b2-first", "b-b2", "c-b4"}));
}

TEST(suite_parser, defaults_merge_under_tasks_and_requirements_merge_key_by_key) {
  const auto s = parse_yaml(R"(suite: merged
defaults:
  type: benchmark
  timeout: 10m
  retries: 2
  requirements: {hardware: [cuda], min_memory_gb: 8}
  env: {HF_HOME: /cache, MODE: default}
  command: [echo, default]
tasks:
  - id: plain
  - id: overriding
    type: test
    retries: 0
    requirements: {min_memory_gb: 16, labels: [nvlink]}
    env: {MODE: mine}
    command: [echo, mine]
)");
  ASSERT_EQ(s.tasks.size(), 2u);
  const auto& plain = s.tasks[0];
  EXPECT_EQ(plain.type, dtf::task_type::benchmark);
  EXPECT_EQ(plain.timeout_s, 600.0);
  EXPECT_EQ(plain.retries, 2);
  EXPECT_EQ(plain.requirements.hardware, std::vector<dtf::device_kind>{dtf::device_kind::cuda});
  EXPECT_EQ(plain.requirements.min_memory_gb, 8.0);
  EXPECT_EQ(plain.command, (std::vector<std::string>{"echo", "default"}));
  const auto& overriding = s.tasks[1];
  EXPECT_EQ(overriding.type, dtf::task_type::test);
  EXPECT_EQ(overriding.retries, 0);
  EXPECT_EQ(overriding.timeout_s, 600.0);
  EXPECT_EQ(overriding.requirements.hardware, std::vector<dtf::device_kind>{dtf::device_kind::cuda});
  EXPECT_EQ(overriding.requirements.min_memory_gb, 16.0);
  EXPECT_EQ(overriding.requirements.labels, std::vector<std::string>{"nvlink"});
  EXPECT_EQ(overriding.env, (std::map<std::string, std::string>{{"HF_HOME", "/cache"}, {"MODE", "mine"}}));
  EXPECT_EQ(overriding.command, (std::vector<std::string>{"echo", "mine"}));
}

TEST(suite_parser, parsing_defaults_does_not_leak_one_task_into_the_next) {
  const auto s = parse_yaml(R"(defaults: {timeout: 10m}
tasks:
  - {id: a, timeout: 1h}
  - {id: b}
)");
  EXPECT_EQ(s.tasks[0].timeout_s, 3600.0);
  EXPECT_EQ(s.tasks[1].timeout_s, 600.0);
}

TEST(suite_parser, placeholders_fill_command_env_working_directory_and_id) {
  const auto s = parse_yaml(R"(suite: nightly
defaults:
  id: "{model}-b{batch_size}-{type}"
tasks:
  - type: benchmark
    model: bert-base
    batch_size: 8
    priority: 3
    command: [run, "{id}", "{suite}", "p{priority}", "{{literal}}", "a}}b"]
    env: {OUT: "/results/{id}"}
    working_directory: "/work/{model}"
)");
  const auto& t = s.tasks.at(0);
  EXPECT_EQ(t.id, "bert-base-b8-benchmark");
  EXPECT_EQ(t.command,
            (std::vector<std::string>{"run", "bert-base-b8-benchmark", "nightly", "p3", "{literal}", "a}b"}));
  EXPECT_EQ(t.env.at("OUT"), "/results/bert-base-b8-benchmark");
  EXPECT_EQ(t.working_directory, "/work/bert-base");
}

TEST(suite_parser, command_string_is_split_like_a_shell_and_substituted_per_word) {
  const auto s = parse_yaml(R"(tasks:
  - model: "my model"
    command: "sh -c 'echo {model}; sleep 0.1' \"two words\" plain\\ word"
)");
  EXPECT_EQ(s.tasks.at(0).command,
            (std::vector<std::string>{"sh", "-c", "echo my model; sleep 0.1", "two words", "plain word"}));
}

TEST(suite_parser, generated_ids_are_readable_unique_and_never_take_a_written_id) {
  const auto s = parse_yaml(R"(suite: Night Run
tasks:
  - command: [a]
  - model: bert-base
  - model: bert-base
  - id: bert-base-2
  - id: plain
)");
  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"night-run-1", "bert-base", "bert-base-3", "bert-base-2", "plain"}));
}

TEST(suite_parser, tasks_without_command_are_valid_for_planning) {
  const auto s = parse_yaml("tasks:\n  - {id: a, model: x}\n");
  EXPECT_TRUE(s.tasks.at(0).command.empty());
  EXPECT_EQ(s.name, "suite");  // from the file name's stem when `suite` is absent
}

TEST(suite_parser, every_requirement_field_is_read) {
  const auto s = parse_yaml(R"(tasks:
  - id: a
    requirements:
      hardware: [rocm, cuda]
      min_memory_gb: 6.5
      min_cuda_compute: 8.0
      gfx_arch: gfx908
      device: A100
      require_device: [T4, V100]
      labels: [nvlink, fast]
      min_cores: 16
)");
  const auto& r = s.tasks.at(0).requirements;
  EXPECT_EQ(r.hardware, (std::vector<dtf::device_kind>{dtf::device_kind::rocm, dtf::device_kind::cuda}));
  EXPECT_EQ(r.min_memory_gb, 6.5);
  EXPECT_EQ(r.min_cuda_compute, 8.0);
  EXPECT_EQ(r.gfx_arch, std::vector<std::string>{"gfx908"});
  EXPECT_EQ(r.device, "A100");
  EXPECT_EQ(r.require_device, (std::vector<std::string>{"T4", "V100"}));
  EXPECT_EQ(r.labels, (std::vector<std::string>{"nvlink", "fast"}));
  EXPECT_EQ(r.min_cores, 16);
}

TEST(suite_parser, timeouts_accept_units_and_plain_seconds) {
  const auto s = parse_yaml(R"(tasks:
  - {id: a, timeout: 10m}
  - {id: b, timeout: 30s}
  - {id: c, timeout: 1h30m}
  - {id: d, timeout: 250ms}
  - {id: e, timeout: 45}
  - {id: f, timeout: 2.5}
)");
  std::vector<double> timeouts;
  for (const auto& t : s.tasks) timeouts.push_back(t.timeout_s);
  EXPECT_EQ(timeouts, (std::vector<double>{600.0, 30.0, 5400.0, 0.25, 45.0, 2.5}));
}

TEST(duration_text, parses_compound_durations_and_rejects_malformed_ones) {
  EXPECT_EQ(dtf::parse_duration_s("1h2m3s"), 3723.0);
  EXPECT_EQ(dtf::parse_duration_s("1.5h"), 5400.0);
  EXPECT_EQ(dtf::parse_duration_s("2m500ms"), 120.5);
  EXPECT_FALSE(dtf::parse_duration_s("10s5m"));  // units out of order
  EXPECT_FALSE(dtf::parse_duration_s("5x"));
  EXPECT_FALSE(dtf::parse_duration_s("m"));
  EXPECT_FALSE(dtf::parse_duration_s(""));
  EXPECT_EQ(dtf::format_duration(90.0), "1m30s");
  EXPECT_EQ(dtf::format_duration(0.25), "250ms");
}

TEST(suite_parser, json_and_yaml_give_identical_tasks) {
  const std::string source = DTF_SOURCE_DIR;
  const auto from_yaml = dtf::parse_suite_file(source + "/examples/suite.yaml");
  const auto from_json = dtf::parse_suite_file(source + "/tests/fixtures/suites/example.json");
  EXPECT_EQ(from_yaml.name, from_json.name);
  ASSERT_EQ(from_yaml.tasks.size(), from_json.tasks.size());
  ASSERT_GE(from_yaml.tasks.size(), 10u);
  for (std::size_t i = 0; i < from_yaml.tasks.size(); ++i) {
    const auto& y = from_yaml.tasks[i];
    const auto& j = from_json.tasks[i];
    EXPECT_EQ(y.id, j.id);
    EXPECT_EQ(y.type, j.type);
    EXPECT_EQ(y.priority, j.priority);
    EXPECT_EQ(y.model, j.model);
    EXPECT_EQ(y.batch_size, j.batch_size);
    EXPECT_EQ(y.requirements.hardware, j.requirements.hardware);
    EXPECT_EQ(y.requirements.min_memory_gb, j.requirements.min_memory_gb);
    EXPECT_EQ(y.requirements.min_cuda_compute, j.requirements.min_cuda_compute);
    EXPECT_EQ(y.requirements.gfx_arch, j.requirements.gfx_arch);
    EXPECT_EQ(y.requirements.device, j.requirements.device);
    EXPECT_EQ(y.requirements.require_device, j.requirements.require_device);
    EXPECT_EQ(y.requirements.labels, j.requirements.labels);
    EXPECT_EQ(y.requirements.min_cores, j.requirements.min_cores);
    EXPECT_EQ(y.command, j.command);
    EXPECT_EQ(y.env, j.env);
    EXPECT_EQ(y.working_directory, j.working_directory);
    EXPECT_EQ(y.timeout_s, j.timeout_s);
    EXPECT_EQ(y.retries, j.retries);
    EXPECT_EQ(y.sequence, j.sequence);
    EXPECT_NE(y.origin, j.origin);  // each names its own file and line
  }
}

TEST(suite_parser, format_is_taken_from_the_extension_or_sniffed) {
  EXPECT_EQ(dtf::detect_input_format("a.json", "tasks: []"), dtf::input_format::json);
  EXPECT_EQ(dtf::detect_input_format("a.yml", "{}"), dtf::input_format::yaml);
  EXPECT_EQ(dtf::detect_input_format("a.suite", "  \n{\"tasks\": []}"), dtf::input_format::json);
  EXPECT_EQ(dtf::detect_input_format("a.suite", "tasks: []"), dtf::input_format::yaml);
}
