// The coordinator's compact task table: every task comes back exactly as it
// went in (every field, any bytes), tasks of a matrix share one shape, and a
// task that differs in any shared field gets a shape of its own.
#include "actors/task_store.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace dtf {
namespace {

auto fields(const task_requirements& r) {
  return std::tie(r.hardware, r.min_memory_gb, r.min_cuda_compute, r.gfx_arch, r.device, r.require_device, r.labels,
                  r.min_cores);
}

bool same_task(const task& a, const task& b) {
  return std::tie(a.id, a.type, a.priority, a.model, a.batch_size, a.command, a.env, a.working_directory, a.timeout_s,
                  a.retries, a.sequence, a.origin) == std::tie(b.id, b.type, b.priority, b.model, b.batch_size,
                                                                b.command, b.env, b.working_directory, b.timeout_s,
                                                                b.retries, b.sequence, b.origin) &&
         fields(a.requirements) == fields(b.requirements);
}

task matrix_task(int i) {
  task t;
  t.id = "bench-" + std::to_string(i);
  t.type = task_type::benchmark;
  t.priority = i % 3;
  t.model = "bert-base-uncased";
  t.batch_size = 8;
  t.requirements.hardware = {device_kind::cuda, device_kind::rocm};
  t.requirements.min_memory_gb = 6;
  t.requirements.min_cuda_compute = 8.0;
  t.requirements.labels = {"nvlink"};
  t.command = {"python3", "bench.py", "--index", std::to_string(i)};
  t.env = {{"HF_HOME", "/cache"}};
  t.timeout_s = 60;
  t.retries = 2;
  t.sequence = static_cast<std::uint64_t>(i + 1);
  t.origin = "suite.yaml:12";
  return t;
}

TEST(task_store, a_matrix_shares_one_shape_and_every_task_comes_back_whole) {
  task_store store;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(store.add(matrix_task(i)), static_cast<std::size_t>(i));
  EXPECT_EQ(store.size(), 100u);
  EXPECT_EQ(store.shape_count(), 1u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(same_task(store.materialize(static_cast<std::size_t>(i)), matrix_task(i)));
    EXPECT_EQ(store.id(static_cast<std::size_t>(i)), "bench-" + std::to_string(i));
    EXPECT_EQ(store.priority(static_cast<std::size_t>(i)), i % 3);
    EXPECT_EQ(store.sequence(static_cast<std::size_t>(i)), static_cast<std::uint64_t>(i + 1));
  }
  EXPECT_EQ(store.shape(7).model, "bert-base-uncased");
  EXPECT_EQ(store.shape(7).retries, 2);
  EXPECT_TRUE(store.shape(7).command.empty());
}

TEST(task_store, finds_tasks_by_id_and_only_those) {
  task_store store;
  store.add(matrix_task(1));
  store.add(matrix_task(2));
  ASSERT_TRUE(store.find("bench-2"));
  EXPECT_EQ(*store.find("bench-2"), 1u);
  EXPECT_FALSE(store.find("bench-3"));
  EXPECT_FALSE(store.find(""));
  // A long id (no small-string storage) is found as well.
  task long_id = matrix_task(3);
  long_id.id = std::string(300, 'x');
  store.add(long_id);
  ASSERT_TRUE(store.find(std::string(300, 'x')));
  EXPECT_EQ(*store.find(std::string(300, 'x')), 2u);
}

TEST(task_store, a_task_that_differs_in_any_shared_field_gets_its_own_shape) {
  std::vector<task> variants;
  auto vary = [&](auto change) {
    task t = matrix_task(static_cast<int>(variants.size()));
    change(t);
    variants.push_back(t);
  };
  vary([](task&) {});
  vary([](task& t) { t.type = task_type::test; });
  vary([](task& t) { t.model = "t5-small"; });
  vary([](task& t) { t.batch_size = 16; });
  vary([](task& t) { t.requirements.hardware = {device_kind::cuda}; });
  vary([](task& t) { t.requirements.min_memory_gb = 7; });
  vary([](task& t) { t.requirements.min_cuda_compute.reset(); });
  vary([](task& t) { t.requirements.gfx_arch = {"gfx908"}; });
  vary([](task& t) { t.requirements.device = "A100"; });
  vary([](task& t) { t.requirements.device = ""; });
  vary([](task& t) { t.requirements.require_device = {"T4"}; });
  vary([](task& t) { t.requirements.labels = {}; });
  vary([](task& t) { t.requirements.min_cores = 4; });
  vary([](task& t) { t.env["HF_HOME"] = "/other"; });
  vary([](task& t) { t.env["EXTRA"] = ""; });
  vary([](task& t) { t.working_directory = "/tmp"; });
  vary([](task& t) { t.timeout_s = 61; });
  vary([](task& t) { t.retries = 0; });
  vary([](task& t) { t.origin = "suite.yaml:13"; });
  // Neighbouring lists must not run together: {"ab"} + {} is not {"a"} + {"b"}.
  vary([](task& t) { t.requirements.gfx_arch = {"ab"}; t.requirements.require_device = {}; });
  vary([](task& t) { t.requirements.gfx_arch = {"a"}; t.requirements.require_device = {"b"}; });
  task_store store;
  for (const auto& t : variants) store.add(t);
  EXPECT_EQ(store.shape_count(), variants.size());
  for (std::size_t i = 0; i < variants.size(); ++i) EXPECT_TRUE(same_task(store.materialize(i), variants[i])) << i;
}

TEST(task_store, commands_keep_any_bytes_and_empty_words) {
  const std::vector<std::vector<std::string>> commands = {
    {}, {""}, {"", ""}, {"true"}, {std::string("a\0b", 3), "\xff\xfe"}, {std::string(200, 'x'), std::string(70000, 'y')}};
  for (const auto& words : commands) EXPECT_EQ(task_store::unpack_words(task_store::pack_words(words)), words);
}

RC_GTEST_PROP(task_store, every_task_comes_back_as_it_was_added, ()) {
  const auto count = *rc::gen::inRange(1, 40);
  std::vector<task> added;
  task_store store;
  for (int i = 0; i < count; ++i) {
    task t;
    t.id = *rc::gen::arbitrary<std::string>() + "#" + std::to_string(i);  // unique: the digits after the last #
    t.type = *rc::gen::element(task_type::benchmark, task_type::test, task_type::custom);
    t.priority = *rc::gen::inRange(-3, 3);
    t.model = *rc::gen::element<std::string>("", "bert", "t5-small");
    t.batch_size = *rc::gen::inRange(0, 3);
    t.requirements.hardware = *rc::gen::container<std::vector<device_kind>>(
        rc::gen::element(device_kind::cpu, device_kind::cuda, device_kind::rocm));
    t.requirements.min_memory_gb = *rc::gen::element(0.0, 0.5, 8.0);
    if (*rc::gen::arbitrary<bool>()) t.requirements.min_cuda_compute = *rc::gen::element(7.0, 8.6);
    t.requirements.gfx_arch = *rc::gen::container<std::vector<std::string>>(rc::gen::element<std::string>("a", "b", ""));
    if (*rc::gen::arbitrary<bool>()) t.requirements.device = *rc::gen::element<std::string>("", "A100");
    t.requirements.labels = *rc::gen::container<std::vector<std::string>>(rc::gen::element<std::string>("x", "y"));
    t.command = *rc::gen::arbitrary<std::vector<std::string>>();
    for (const char* name : {"A", "B"})
      if (*rc::gen::arbitrary<bool>()) t.env[name] = *rc::gen::element<std::string>("", "1");
    t.working_directory = *rc::gen::element<std::string>("", "/tmp");
    t.timeout_s = *rc::gen::element(600.0, 1.5);
    t.retries = *rc::gen::inRange(0, 2);
    t.sequence = static_cast<std::uint64_t>(i + 1);
    t.origin = *rc::gen::element<std::string>("", "s.yaml:1");
    RC_ASSERT(store.add(t) == added.size());
    added.push_back(t);
  }
  for (std::size_t i = 0; i < added.size(); ++i) {
    RC_ASSERT(same_task(store.materialize(i), added[i]));
    RC_ASSERT(*store.find(added[i].id) == i);
  }
  // One shape per distinct value of the shared fields, by task equality.
  std::vector<task> shapes;
  for (auto t : added) {
    t.id.clear();
    t.command.clear();
    t.sequence = 0;
    t.priority = 0;
    if (std::none_of(shapes.begin(), shapes.end(), [&](const task& s) { return same_task(s, t); }))
      shapes.push_back(t);
  }
  RC_ASSERT(store.shape_count() == shapes.size());
}

} // namespace
} // namespace dtf
