#include "scheduler/input/fleet_parser.hpp"
#include "tests/scheduler/expect_input_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::vector<dtf::worker_capability> parse_yaml(std::string_view text) {
  return dtf::parse_fleet_text(text, "fleet.yaml", dtf::input_format::yaml);
}

void expect_fleet_error(std::string_view text, int line, const std::string& field, const std::string& fragment,
                        dtf::input_format format = dtf::input_format::yaml) {
  dtf::testing::expect_input_error_from([&] { (void)dtf::parse_fleet_text(text, "bad-fleet.yaml", format); },
                                        "bad-fleet.yaml", line, field, fragment);
}

} // namespace

TEST(fleet_parser, reads_the_bundled_example_fleet) {
  const auto workers = dtf::parse_fleet_file(std::string(DTF_SOURCE_DIR) + "/examples/fleet.yaml");
  ASSERT_EQ(workers.size(), 4u);
  EXPECT_EQ(workers[0].id, "worker-cuda-1");
  EXPECT_EQ(workers[0].kind, dtf::device_kind::cuda);
  EXPECT_EQ(workers[0].name, "NVIDIA GeForce RTX 3080");
  EXPECT_EQ(dtf::memory_gb(workers[0]), 10.0);
  EXPECT_EQ(workers[0].compute_capability, 8.6);
  EXPECT_EQ(workers[0].cores, 68);
  EXPECT_EQ(workers[1].name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(dtf::memory_gb(workers[1]), 40.0);
  EXPECT_EQ(workers[1].compute_capability, 8.0);
  EXPECT_EQ(workers[1].cores, 108);
  EXPECT_EQ(workers[2].kind, dtf::device_kind::cpu);
  EXPECT_EQ(workers[2].cores, 32);
  EXPECT_EQ(dtf::memory_gb(workers[2]), 64.0);
  EXPECT_FALSE(workers[2].compute_capability);
  EXPECT_EQ(workers[3].kind, dtf::device_kind::rocm);
  EXPECT_EQ(workers[3].arch, "gfx908");
  EXPECT_EQ(workers[3].cores, 120);
  for (const auto& w : workers) EXPECT_TRUE(w.emulated);
}

TEST(fleet_parser, count_expands_into_numbered_workers_in_order) {
  const auto workers = parse_yaml(R"(workers:
  - {id: gpu, kind: cuda, memory_gb: 16, count: 3, slots: 1, labels: [nvlink], host: node-a}
  - {id: cpu, kind: cpu, count: 1}
)");
  ASSERT_EQ(workers.size(), 4u);
  EXPECT_EQ(workers[0].id, "gpu-1");
  EXPECT_EQ(workers[2].id, "gpu-3");
  EXPECT_EQ(workers[2].slots, 1);
  EXPECT_EQ(workers[2].labels, std::vector<std::string>{"nvlink"});
  EXPECT_EQ(workers[2].host, "node-a");
  EXPECT_EQ(workers[3].id, "cpu");
  EXPECT_EQ(workers[3].name, "cpu");  // name defaults to the id
  EXPECT_EQ(workers[3].speed, 1.0);
}

TEST(fleet_parser, json_fleet_reads_like_yaml) {
  const auto workers = dtf::parse_fleet_text(R"({"workers": [
  {"id": "w", "kind": "rocm", "name": "AMD Instinct MI100", "memory_gb": 32, "arch": "gfx908", "speed": 1.5}
]})",
                                             "fleet.json", dtf::input_format::json);
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].arch, "gfx908");
  EXPECT_EQ(workers[0].speed, 1.5);
}

TEST(fleet_parser_errors, unknown_key_suggests_the_closest_known_key) {
  expect_fleet_error("workers:\n  - id: w\n    kind: cpu\n    memroy_gb: 4\n", 4, "workers[0].memroy_gb",
                     "did you mean 'memory_gb'?");
}

TEST(fleet_parser_errors, negative_memory_is_rejected) {
  expect_fleet_error("workers:\n  - {id: w, kind: cuda, memory_gb: -10}\n", 2, "workers[0].memory_gb", "must be >= 0");
}

TEST(fleet_parser_errors, unknown_kind_is_rejected) {
  expect_fleet_error("workers:\n  - {id: w, kind: gpu}\n", 2, "workers[0].kind", "unknown worker kind 'gpu'");
}

TEST(fleet_parser_errors, duplicate_id_names_where_the_first_was) {
  expect_fleet_error(R"(workers:
  - {id: w, kind: cpu}
  - {id: x, kind: cpu}
  - {id: w, kind: cpu}
)",
                     4, "workers[2].id", "duplicate worker id 'w' (first defined at bad-fleet.yaml:2)");
}

TEST(fleet_parser_errors, duplicate_id_created_by_count_is_rejected) {
  expect_fleet_error("workers:\n  - {id: w-2, kind: cpu}\n  - {id: w, kind: cpu, count: 2}\n", 3, "workers[1].id",
                     "duplicate worker id 'w-2'");
}

TEST(fleet_parser_errors, speed_must_be_positive_and_within_a_thousandfold_of_the_reference) {
  for (const char* bad : {"0", "-1", "1e-300", "0.0009", "1001", "1e300"})
    expect_fleet_error(std::string{"workers:\n  - {id: w, kind: cpu, speed: "} + bad + "}\n", 2, "workers[0].speed",
                       "must be from 0.001 to 1000 (times the reference speed), got");
  EXPECT_EQ(parse_yaml("workers:\n  - {id: w, kind: cpu, speed: 0.001}\n  - {id: v, kind: cpu, speed: 1000}\n").size(), 2u);
}

TEST(fleet_parser_errors, compute_capability_on_a_non_cuda_worker_is_an_error) {
  expect_fleet_error("workers:\n  - {id: w, kind: rocm, compute_capability: 8.0}\n", 2, "workers[0].compute_capability",
                     "only cuda workers");
}

TEST(fleet_parser_errors, arch_on_a_non_rocm_worker_is_an_error) {
  expect_fleet_error("workers:\n  - {id: w, kind: cuda, arch: gfx908}\n", 2, "workers[0].arch", "only rocm workers");
}

TEST(fleet_parser_errors, missing_id_and_kind_are_rejected) {
  expect_fleet_error("workers:\n  - {kind: cpu}\n", 2, "workers[0].id", "needs an id");
  expect_fleet_error("workers:\n  - {id: w}\n", 2, "workers[0].kind", "needs a kind");
}

TEST(fleet_parser_errors, empty_worker_list_and_bad_count_are_rejected) {
  expect_fleet_error("workers: []\n", 1, "workers", "empty");
  expect_fleet_error("workers:\n  - {id: w, kind: cpu, count: 0}\n", 2, "workers[0].count", "between 1 and");
}

TEST(fleet_parser_errors, a_field_is_named_with_its_workers_index) {
  // Flow style puts several workers on one line: the line alone does not say which.
  expect_fleet_error("workers: [{id: a, kind: cuda}, {id: b, kind: cuda, memory_gb: -1}]\n", 1, "workers[1].memory_gb",
                     "must be >= 0, got -1");
  expect_fleet_error("workers: [{id: a, kind: cuda}, {kind: cuda}]\n", 1, "workers[1].id", "needs an id");
}

TEST(fleet_parser_errors, wrong_types_are_rejected) {
  expect_fleet_error("workers:\n  - {id: w, kind: cpu, cores: many}\n", 2, "workers[0].cores", "expected an integer");
  expect_fleet_error("workers:\n  - {id: w, kind: cpu, slots: -1}\n", 2, "workers[0].slots", "must be >= 0");
}

TEST(fleet_parser_errors, json_syntax_error_has_its_line) {
  expect_fleet_error("{\"workers\": [\n  {\"id\": \"w\" \"kind\": \"cpu\"}\n]}", 2, "", "invalid JSON",
                     dtf::input_format::json);
}
