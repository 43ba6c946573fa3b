// Properties of the predicted-time dry run behind `dtf plan`, over random
// fleets and task sets, and of the suite parser over corrupted input.
#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/input/suite_parser.hpp"
#include "scheduler/simulation/dry_run_plan.hpp"
#include "tests/scheduler/fleet_fixtures.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {

using namespace dtf;

std::vector<worker_capability> random_fleet() {
  const int count = *rc::gen::inRange(1, 6);
  std::vector<worker_capability> fleet;
  for (int i = 0; i < count; ++i) {
    const std::string id = "w" + std::to_string(i);
    const double memory = *rc::gen::inRange(4, 81);
    const int slots = *rc::gen::inRange(1, 4);
    const double speed = *rc::gen::element(0.5, 1.0, 2.0);
    switch (*rc::gen::inRange(0, 3)) {
      case 0: fleet.push_back(dtf::testing::cpu_worker(id, "Xeon", memory, *rc::gen::inRange(4, 65), slots, speed)); break;
      case 1:
        fleet.push_back(dtf::testing::cuda_worker(id, *rc::gen::element<std::string>("NVIDIA T4", "NVIDIA A100"), memory,
                                             *rc::gen::element(7.0, 7.5, 8.0, 8.6), 68, slots, speed));
        break;
      default: fleet.push_back(dtf::testing::rocm_worker(id, "AMD Instinct MI100", memory, "gfx908", 120, slots, speed)); break;
    }
  }
  return fleet;
}

std::vector<task> random_tasks() {
  const int count = *rc::gen::inRange(1, 25);
  std::vector<task> tasks;
  for (int i = 0; i < count; ++i) {
    std::vector<device_kind> hardware;
    for (const auto kind : {device_kind::cuda, device_kind::rocm, device_kind::cpu})
      if (*rc::gen::inRange(0, 3) == 0) hardware.push_back(kind);
    task t = dtf::testing::make_task("t" + std::to_string(i), hardware, *rc::gen::inRange(0, 100), *rc::gen::inRange(-2, 4),
                                *rc::gen::element<std::string>("", "bert-base", "t5-small", "llama-7b", "resnet50"));
    t.batch_size = *rc::gen::element(0, 1, 8, 64);
    if (*rc::gen::inRange(0, 4) == 0) t.requirements.min_cuda_compute = *rc::gen::element(7.0, 8.0, 9.0);
    t.sequence = static_cast<std::uint64_t>(i);
    tasks.push_back(std::move(t));
  }
  return tasks;
}

} // namespace

RC_GTEST_PROP(dry_run_plan, plans_exactly_the_placeable_tasks_once_within_slots, ()) {
  const auto fleet = random_fleet();
  const auto tasks = random_tasks();
  scheduler_core core;
  for (const auto& w : fleet) core.add_worker(w);
  for (const auto& t : tasks) core.submit(t);
  const auto plan = plan_in_predicted_time(core, tasks);

  std::map<std::string, const worker_capability*> worker_by_id;
  for (const auto& w : fleet) worker_by_id[w.id] = &w;
  std::map<std::string, const task*> task_by_id;
  for (const auto& t : tasks) task_by_id[t.id] = &t;

  std::set<std::string> planned;
  for (const auto& a : plan.assignments) {
    RC_ASSERT(planned.insert(a.task_id).second);  // once
    RC_ASSERT(std::isfinite(a.score) && std::isfinite(a.start_s) && std::isfinite(a.predicted_duration_s));
    RC_ASSERT(a.start_s + a.predicted_duration_s <= plan.makespan_s + 1e-6);
    RC_ASSERT(!first_rejection(task_by_id.at(a.task_id)->requirements, *worker_by_id.at(a.worker_id)));
  }
  std::set<std::string> pending;
  for (const auto& p : plan.pending) {
    RC_ASSERT(pending.insert(p.task_id).second);
    RC_ASSERT(p.reasons.size() == fleet.size());
  }
  for (const auto& t : tasks) {
    const bool placeable = std::any_of(fleet.begin(), fleet.end(),
                                       [&](const worker_capability& w) { return !first_rejection(t.requirements, w); });
    RC_ASSERT(planned.count(t.id) == (placeable ? 1u : 0u));
    RC_ASSERT(pending.count(t.id) == (placeable ? 0u : 1u));
  }
  // At any start time, a worker runs no more tasks than its slots.
  for (const auto& a : plan.assignments) {
    const auto& w = *worker_by_id.at(a.worker_id);
    const auto overlapping = std::count_if(plan.assignments.begin(), plan.assignments.end(), [&](const auto& b) {
      return b.worker_id == a.worker_id && b.start_s <= a.start_s && a.start_s < b.start_s + b.predicted_duration_s;
    });
    RC_ASSERT(overlapping <= w.slots);
  }
}

RC_GTEST_PROP(suite_parser, corrupted_suites_give_a_suite_or_an_input_error_and_nothing_else, ()) {
  static const std::string example = [] {
    std::ifstream in(std::string(DTF_SOURCE_DIR) + "/examples/suite.yaml");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  std::string text = example;
  const int edits = *rc::gen::inRange(1, 6);
  for (int i = 0; i < edits; ++i) {
    const auto at = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, text.size()));
    const auto length = static_cast<std::size_t>(*rc::gen::inRange(1, 12));
    switch (*rc::gen::inRange(0, 3)) {
      case 0: text.erase(at, length); break;
      case 1: text.insert(at, std::string(1, *rc::gen::element('{', '}', ':', '-', '[', ']', '"', '\n', ' ', 'x', '9'))); break;
      default: text.insert(at, text.substr(at, length)); break;
    }
  }
  try {
    const auto parsed = parse_suite_text(text, "corrupt.yaml", suite_format::yaml);
    RC_ASSERT(!parsed.tasks.empty());
  } catch (const input_error& e) {
    RC_ASSERT(std::string(e.what()).rfind("corrupt.yaml", 0) == 0);
    RC_ASSERT(std::string(e.what()).find('\n') == std::string::npos);
  }
}
