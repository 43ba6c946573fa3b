// pending_queue on its own: queue order per class, aging past later
// submissions, and the per-model indexes the affinity lookahead reads.
#include "../scheduler/fleet_fixtures.hpp"
#include "scheduler/core/pending_queue.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
task_handle add(task_table& tasks, std::string id, int priority, double predicted_s, std::uint64_t sequence,
                double submitted_at_s = 0.0, affinity_map::key model = affinity_map::no_key) {
  const auto h = tasks.add(make_task(std::move(id), {}, 0.0, priority));
  auto& r = tasks[h];
  r.key = queue_key{priority, predicted_s, sequence, h};
  r.submitted_at_s = submitted_at_s;
  r.affinity_model = model;
  return h;
}
std::vector<std::string> order(const pending_queue& queue, const task_table& tasks) {
  std::vector<std::string> ids;
  for (const auto& k : queue.of_class(0)) ids.push_back(tasks[k.handle].body.id);
  return ids;
}
} // namespace

TEST(pending_queue, orders_by_priority_then_longest_predicted_then_submission) {
  task_table tasks;
  pending_queue queue(0.0, false);
  for (auto [id, priority, predicted, seq] : std::vector<std::tuple<std::string, int, double, int>>{
           {"short", 0, 5.0, 1}, {"long", 0, 50.0, 2}, {"urgent", 3, 1.0, 3}, {"short2", 0, 5.0, 4}})
    queue.enqueue(tasks, add(tasks, id, priority, predicted, static_cast<std::uint64_t>(seq)), 0.0);
  EXPECT_EQ(queue.size(), 4u);
  EXPECT_EQ(order(queue, tasks), (std::vector<std::string>{"urgent", "long", "short", "short2"}));
  queue.dequeue(tasks, tasks.find("long"));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(order(queue, tasks), (std::vector<std::string>{"urgent", "short", "short2"}));
}

TEST(pending_queue, a_task_ages_ahead_of_longer_ones_only_once_later_submissions_could_overtake_it) {
  task_table tasks;
  pending_queue queue(2.0, false);  // ages after 2 x its predicted time
  const auto early = add(tasks, "early-short", 0, 10.0, 1, 0.0);
  queue.note_submission(tasks, 0.0);
  queue.enqueue(tasks, early, 0.0);
  const auto late = add(tasks, "late-long", 0, 100.0, 2, 5.0);
  queue.note_submission(tasks, 5.0);
  queue.enqueue(tasks, late, 5.0);
  EXPECT_EQ(order(queue, tasks), (std::vector<std::string>{"late-long", "early-short"}));
  queue.promote_aged(tasks, 19.0);
  EXPECT_EQ(order(queue, tasks), (std::vector<std::string>{"late-long", "early-short"}));
  queue.promote_aged(tasks, 20.0);  // 0 + 2 x 10: aged, and a later task was submitted
  EXPECT_EQ(order(queue, tasks), (std::vector<std::string>{"early-short", "late-long"}));
}

TEST(pending_queue, the_model_index_drops_a_task_once_a_policy_deferred_it) {
  task_table tasks;
  pending_queue queue(0.0, true);
  const affinity_map::key bert = 4;
  const auto a = add(tasks, "a", 0, 1.0, 1, 0.0, bert);
  const auto b = add(tasks, "b", 0, 1.0, 2, 0.0, bert);
  queue.enqueue(tasks, a, 0.0);
  queue.enqueue(tasks, b, 0.0);
  ASSERT_NE(queue.of_model(bert, false), nullptr);
  EXPECT_EQ(queue.of_model(bert, true)->size(), 2u);
  tasks[a].first_deferred_at_s = 1.0;
  queue.note_deferred(tasks[a]);
  EXPECT_EQ(queue.of_model(bert, true)->size(), 1u);
  EXPECT_EQ(queue.of_model(bert, false)->size(), 2u);
  auto next = queue.take(tasks, 0, queue.of_class(0).begin());  // a is placed
  EXPECT_EQ(next->handle, b);
  EXPECT_EQ(queue.of_model(bert, false)->size(), 1u);
  EXPECT_EQ(queue.size(), 1u);
}
