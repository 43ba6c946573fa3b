// One learning path: the same results driven through the actor runtime (the
// coordinator and the scheduler actor under CAF's deterministic scheduler,
// the workers played by the test) and through scheduler_core directly, the
// way `dtf simulate` drives it, give the same predictions at every placement
// and the same backup outcomes. The core is the run's only learner: a lower
// bound learned from a lost backup race survives (no snapshot from elsewhere
// replaces what the scheduler learned), and the coordinator follows the
// core's result_effect instead of working the race out again.
#include "actors/coordinator.hpp"
#include "deterministic_actors.hpp"
#include "scripted_coordinator.hpp"
#include "actors/system_setup.hpp"
#include "actors/worker_actor.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace dtf {
namespace {

/// A placement as both sides see it: which task, where, and its prediction.
struct placement {
  std::string task_id;
  std::string worker_id;
  double predicted_s = 0.0;
  bool operator==(const placement&) const = default;
  bool operator<(const placement& o) const {
    return std::tie(task_id, worker_id, predicted_s) < std::tie(o.task_id, o.worker_id, o.predicted_s);
  }
};

std::ostream& operator<<(std::ostream& os, const placement& p) {
  return os << p.task_id << " on " << p.worker_id << " predicted " << p.predicted_s << " s";
}

worker_capability cpu_worker(const std::string& id, double speed) {
  auto w = testing::cpu_worker(id, 1);
  w.speed = speed;
  return w;
}

task bert_task(const std::string& id) {
  task t;
  t.id = id;
  t.type = task_type::test;
  t.model = "bert-base-uncased";
  t.requirements.hardware = {device_kind::cpu};
  t.command = {"true"};
  t.timeout_s = 1e6;  // never a reason to avoid the slow worker
  return t;
}

scheduler_config scheduling() {
  scheduler_config c;
  c.allow_deferral = false;  // every task starts at once on a free worker, the slow one included
  // A copy is charged the first attempt's time so far too: with so little work,
  // more than all slot time, so the second backup is not held back by the first.
  c.backup_budget_fraction = 10.0;
  return c;
}

// ---- the actor runtime ----

struct order_log {
  std::vector<std::pair<std::string, work_order>> orders;  // worker id, order
  std::vector<std::pair<std::string, std::string>> cancels;  // worker id, task id
};

worker_actor::behavior_type played_worker(worker_actor::pointer, std::string id, std::shared_ptr<order_log> log) {
  return {
    [id, log](atom::run, std::vector<work_order>& orders, int) {
      for (auto& o : orders) log->orders.emplace_back(id, std::move(o));
    },
    [id, log](atom::cancel, const std::string& task_id) { log->cancels.emplace_back(id, task_id); },
    [](atom::done, const attempt_record&) {},
    [](atom::flush) {},
  };
}

using testing::deterministic;
using testing::recording_listener;

class actor_side {
public:
  explicit actor_side(const scheduler_config& scheduling_config = scheduling()) {
    coordinator_config config;
    config.scheduling = scheduling_config;
    coordinator_ = spawn_coordinator(sys_, config);
    caf::anon_send(coordinator_, atom::subscribe_v, caf::actor_cast<caf::actor>(sys_.spawn(recording_listener, updates_)));
    sched_.run();
  }
  ~actor_side() {
    caf::anon_send_exit(coordinator_, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  void enroll(const worker_capability& w) {
    caf::anon_send(coordinator_, atom::enroll_v, w, caf::actor_cast<caf::actor>(sys_.spawn(played_worker, w.id, log_)));
    sched_.run();
  }
  void submit(std::vector<task> tasks) {
    caf::anon_send(coordinator_, atom::submit_v, std::move(tasks));
    sched_.run();
  }
  /// The latest attempt of the task on the worker ends.
  void report(const std::string& task_id, const std::string& worker_id, task_status status, double duration_s) {
    send_report(task_id, worker_id, status, duration_s);
    sched_.run();
  }
  /// Time passes, and the report reaches the coordinator before whatever the
  /// scheduler does when woken (a backup placed then crosses the report).
  void advance_with_report(double seconds, const std::string& task_id, const std::string& worker_id,
                           task_status status, double duration_s) {
    sched_.clock().advance_time(std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(seconds)));
    send_report(task_id, worker_id, status, duration_s);
    sched_.run();
  }
  void send_report(const std::string& task_id, const std::string& worker_id, task_status status, double duration_s) {
    const work_order* order = nullptr;
    for (const auto& [w, o] : log_->orders)
      if (w == worker_id && o.work.id == task_id) order = &o;
    ASSERT_NE(order, nullptr) << task_id << " never ran on " << worker_id;
    attempt_record r;
    r.task_id = task_id;
    r.worker_id = worker_id;
    r.status = status;
    r.attempt = order->attempt;
    r.duration_s = duration_s;
    r.exit_code = status == task_status::succeeded ? 0 : 1;
    caf::anon_send(coordinator_, atom::result_v, std::vector<attempt_record>{r});
  }
  void advance(double seconds) {
    sched_.clock().advance_time(std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(seconds)));
    sched_.run();
  }

  /// The latest work order of the task on the worker.
  const work_order* order(const std::string& task_id, const std::string& worker_id) const {
    const work_order* found = nullptr;
    for (const auto& [w, o] : log_->orders)
      if (w == worker_id && o.work.id == task_id) found = &o;
    return found;
  }
  const task_update* latest(const std::string& task_id) const {
    for (auto i = updates_->rbegin(); i != updates_->rend(); ++i)
      if (i->task_id == task_id) return &*i;
    return nullptr;
  }
  std::vector<placement> placements() const {
    std::vector<placement> out;
    for (const auto& [w, o] : log_->orders) out.push_back({o.work.id, w, o.predicted_duration_s});
    return out;
  }
  /// Workers told to cancel the task.
  std::vector<std::string> cancelled_on(const std::string& task_id) const {
    std::vector<std::string> out;
    for (const auto& [w, t] : log_->cancels)
      if (t == task_id) out.push_back(w);
    return out;
  }
  const task_update* finished(const std::string& task_id) const {
    for (auto i = updates_->rbegin(); i != updates_->rend(); ++i)
      if (i->task_id == task_id && i->kind == task_event_kind::finished) return &*i;
    return nullptr;
  }

private:
  caf::actor_system_config cfg_;
  caf::actor_system sys_{deterministic(cfg_)};
  caf::scheduler::test_coordinator& sched_ = dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler());
  coordinator_actor coordinator_;
  std::shared_ptr<order_log> log_ = std::make_shared<order_log>();
  std::shared_ptr<std::vector<task_update>> updates_ = std::make_shared<std::vector<task_update>>();
};

// ---- the core, driven directly (as the simulator drives it) ----

class core_side {
public:
  explicit core_side(const scheduler_config& config = scheduling()) : core_(config, make_policy("intelligent", config)) {}
  void enroll(const worker_capability& w) {
    core_.add_worker(w);
    schedule();
  }
  void submit(std::vector<task> tasks) {
    for (auto& t : tasks) {
      t.sequence = next_sequence_++;  // the coordinator numbers submissions the same way
      tasks_[t.id] = t;
      core_.submit(t, now_);
    }
    schedule();
  }
  void report(const std::string& task_id, const std::string& worker_id, task_status status, double duration_s) {
    const auto& t = tasks_.at(task_id);
    task_result r;
    r.task_id = task_id;
    r.worker_id = worker_id;
    r.status = status;
    r.duration_s = duration_s;
    r.model = t.model;
    r.type = t.type;
    r.batch_size = t.batch_size;
    effects_[task_id].push_back(core_.record_result(r, now_));
    schedule();
  }
  /// The scheduler is woken first, then the result is recorded.
  void advance_with_report(double seconds, const std::string& task_id, const std::string& worker_id,
                           task_status status, double duration_s) {
    advance(seconds);
    report(task_id, worker_id, status, duration_s);
  }
  /// When the core asked to be woken (an attempt becomes overdue), if it did.
  std::optional<double> wakeup_in_s() const {
    const auto wake = core_.next_wakeup_s();
    if (!wake) return std::nullopt;
    return *wake - now_;
  }
  /// Time passes; the core is woken when it asked to be (an overdue attempt).
  void advance(double seconds) {
    const auto wake = core_.next_wakeup_s();
    now_ += seconds;
    if (wake && *wake <= now_) schedule();
  }

  const std::vector<placement>& placements() const { return placements_; }
  const std::vector<result_effect>& effects(const std::string& task_id) { return effects_[task_id]; }

private:
  void schedule() {
    for (const auto& a : core_.schedule(now_)) placements_.push_back({a.task_id, a.worker_id, a.predicted_duration_s});
  }

  scheduler_core core_;
  double now_ = 0.0;
  std::uint64_t next_sequence_ = 1;
  std::map<std::string, task> tasks_;
  std::vector<placement> placements_;
  std::map<std::string, std::vector<result_effect>> effects_;
};

std::vector<placement> sorted(std::vector<placement> v) {
  std::sort(v.begin(), v.end());
  return v;
}

bool placed(const std::vector<placement>& v, const std::string& task_id, const std::string& worker_id) {
  return std::any_of(v.begin(), v.end(),
                     [&](const placement& p) { return p.task_id == task_id && p.worker_id == worker_id; });
}

/// Both sides, one event at a time.
struct both {
  explicit both(const scheduler_config& config = scheduling()) : runtime(config), core(config) {}
  actor_side runtime;
  core_side core;

  template <class... Args>
  void enroll(const Args&... a) { runtime.enroll(a...); core.enroll(a...); }
  void submit(const std::vector<task>& tasks) { runtime.submit(tasks); core.submit(tasks); }
  void report(const std::string& t, const std::string& w, task_status s, double d) {
    runtime.report(t, w, s, d);
    core.report(t, w, s, d);
  }
  void advance(double s) { runtime.advance(s); core.advance(s); }
  void advance_with_report(double s, const std::string& t, const std::string& w, task_status st, double d) {
    runtime.advance_with_report(s, t, w, st, d);
    core.advance_with_report(s, t, w, st, d);
  }
  /// Hours pass until the task gets a backup on the worker (at most a day).
  void advance_until_placed(const std::string& task_id, const std::string& worker_id) {
    for (int h = 0; h < 24 && !placed(runtime.placements(), task_id, worker_id); ++h) advance(3600.0);
  }
};

/// A fast and a slow worker (predicted 10x longer there), and the model's
/// history on both: a backup only starts from a prediction its own runs back.
void warm_up(both& run) {
  run.enroll(cpu_worker("fast", 1.0));
  run.enroll(cpu_worker("slow", 0.1));
  run.submit({bert_task("h1"), bert_task("h2")});
  ASSERT_TRUE(placed(run.runtime.placements(), "h1", "fast"));
  ASSERT_TRUE(placed(run.runtime.placements(), "h2", "slow"));
  run.report("h1", "fast", task_status::succeeded, 1.5);
  run.report("h2", "slow", task_status::succeeded, 15.0);
}

/// `quick` runs on the fast worker and ends, `late` starts on the slow one.
void start_on_slow(both& run, const std::string& quick, const std::string& late) {
  run.submit({bert_task(quick), bert_task(late)});
  ASSERT_TRUE(placed(run.runtime.placements(), late, "slow"));
  run.report(quick, "fast", task_status::succeeded, 1.5);
}

/// ... and overruns there until it gets a backup on the fast worker.
void overrun_until_backup(both& run, const std::string& quick, const std::string& late) {
  ASSERT_NO_FATAL_FAILURE(start_on_slow(run, quick, late));
  run.advance_until_placed(late, "fast");
  ASSERT_TRUE(placed(run.runtime.placements(), late, "fast")) << late << " never got a backup";
}

TEST(learning_path, the_runtime_predicts_and_decides_backups_as_the_core_does_on_the_same_results) {
  both run;
  ASSERT_NO_FATAL_FAILURE(warm_up(run));

  // b overruns on the slow worker; its backup on the fast one wins.
  ASSERT_NO_FATAL_FAILURE(overrun_until_backup(run, "a", "b"));
  run.report("b", "fast", task_status::succeeded, 1.5);
  // The same outcome: the core names the slow attempt, the runtime cancels it there.
  ASSERT_EQ(run.core.effects("b").size(), 1u);
  EXPECT_EQ(run.core.effects("b")[0].cancel_on_worker, std::optional<std::string>{"slow"});
  EXPECT_EQ(run.runtime.cancelled_on("b"), std::vector<std::string>{"slow"});
  ASSERT_NE(run.runtime.finished("b"), nullptr);
  EXPECT_EQ(run.runtime.finished("b")->status, task_status::succeeded);
  EXPECT_EQ(run.runtime.finished("b")->worker_id, "fast");
  run.report("b", "slow", task_status::cancelled, 3600.0);  // the loser reports late: nothing to learn
  run.advance(5.0);  // long enough for any batched learning elsewhere to arrive

  // The lost race taught a lower bound on the slow worker: the next placements
  // are predicted from it on both sides. d's backup fails: its first attempt
  // keeps the task (no retry, although d has none left) and wins later.
  ASSERT_NO_FATAL_FAILURE(overrun_until_backup(run, "c", "d"));
  run.report("d", "fast", task_status::failed, 0.5);
  ASSERT_EQ(run.core.effects("d").size(), 1u);
  EXPECT_TRUE(run.core.effects("d")[0].still_running);
  EXPECT_EQ(run.runtime.finished("d"), nullptr) << "the first attempt still runs";
  EXPECT_TRUE(run.runtime.cancelled_on("d").empty());
  run.report("d", "slow", task_status::succeeded, 90000.0);
  ASSERT_NE(run.runtime.finished("d"), nullptr);
  EXPECT_EQ(run.runtime.finished("d")->status, task_status::succeeded);
  EXPECT_EQ(run.runtime.finished("d")->worker_id, "slow");
  EXPECT_FALSE(run.core.effects("d")[1].still_running);
  EXPECT_FALSE(run.core.effects("d")[1].cancel_on_worker.has_value());
  run.advance(5.0);

  // What all of it taught, asked once more on both workers.
  run.submit({bert_task("e"), bert_task("f")});
  EXPECT_EQ(sorted(run.runtime.placements()), sorted(run.core.placements()));
  EXPECT_EQ(run.runtime.placements().size(), 10u);  // h1 h2 a b b' c d d' e f
}

// The race the coordinator used to decide on its own: the scheduler places a
// backup of b just as b's first attempt fails, and the coordinator hears of
// the failure before it hears of the backup. The core keeps b on its backup
// (still_running); the coordinator follows it instead of failing b, which has
// no retries, while the core holds the backup's slot forever.
TEST(learning_path, a_failure_that_crosses_the_backup_placed_for_it_leaves_the_task_to_the_backup) {
  both run;
  ASSERT_NO_FATAL_FAILURE(warm_up(run));
  ASSERT_NO_FATAL_FAILURE(start_on_slow(run, "a", "b"));
  const auto wake = run.core.wakeup_in_s();
  ASSERT_TRUE(wake.has_value()) << "b's overrun never wakes the core";

  run.advance_with_report(*wake + 0.01, "b", "slow", task_status::failed, *wake);
  ASSERT_TRUE(placed(run.runtime.placements(), "b", "fast")) << "no backup crossed the failure";
  ASSERT_EQ(run.core.effects("b").size(), 1u);
  EXPECT_TRUE(run.core.effects("b")[0].still_running);
  EXPECT_EQ(run.runtime.finished("b"), nullptr) << "b runs on its backup";
  run.report("b", "fast", task_status::succeeded, 1.5);
  ASSERT_NE(run.runtime.finished("b"), nullptr);
  EXPECT_EQ(run.runtime.finished("b")->status, task_status::succeeded);
  EXPECT_EQ(run.runtime.finished("b")->worker_id, "fast");
  EXPECT_EQ(sorted(run.runtime.placements()), sorted(run.core.placements()));
}

// A probe (scheduler/core/probes.hpp) in the runtime: b waits for the worker its model ran on and probes the
// other one; the coordinator sends it there with the probe's cut-off as its timeout, and when the worker stops it
// there, b is neither failed nor retried: the core queued it again, and it runs where its model ran before.
TEST(learning_path, a_probe_cut_off_in_the_runtime_queues_its_task_again_without_a_failure) {
  auto config = scheduling();
  config.allow_deferral = true;  // b waits for "fast"
  config.probe_budget_fraction = 10.0;  // a few seconds of work fund a probe
  both run(config);
  run.enroll(cpu_worker("fast", 1.0));
  run.enroll(cpu_worker("slow", 0.1));
  run.submit({bert_task("h1")});
  ASSERT_TRUE(placed(run.runtime.placements(), "h1", "fast"));
  run.advance_with_report(1.5, "h1", "fast", task_status::succeeded, 1.5);  // bert's history: "fast" only
  run.advance(1.0);
  run.submit({bert_task("a")});  // submissions arrive: a takes "fast"
  ASSERT_TRUE(placed(run.runtime.placements(), "a", "fast"));
  run.advance(1.0);
  run.submit({bert_task("b")});
  ASSERT_TRUE(placed(run.runtime.placements(), "b", "slow")) << "b did not probe the other worker";
  const auto* order = run.runtime.order("b", "slow");
  ASSERT_NE(order, nullptr);
  EXPECT_DOUBLE_EQ(order->work.timeout_s, 3.0 * 1.5) << "the probe's cut-off is the attempt's timeout";
  EXPECT_EQ(sorted(run.runtime.placements()), sorted(run.core.placements()));

  run.advance_with_report(4.5, "b", "slow", task_status::timed_out, 4.5);
  ASSERT_EQ(run.core.effects("b").size(), 1u);
  EXPECT_TRUE(run.core.effects("b")[0].requeued);
  EXPECT_EQ(run.runtime.finished("b"), nullptr) << "a cut probe is no failure";
  ASSERT_NE(run.runtime.latest("b"), nullptr);
  EXPECT_EQ(run.runtime.latest("b")->kind, task_event_kind::attempt_done);
  run.report("a", "fast", task_status::succeeded, 1.5);
  ASSERT_TRUE(placed(run.runtime.placements(), "b", "fast")) << "b did not run again where its model ran";
  run.report("b", "fast", task_status::succeeded, 1.5);
  ASSERT_NE(run.runtime.finished("b"), nullptr);
  EXPECT_EQ(run.runtime.finished("b")->status, task_status::succeeded);
  EXPECT_EQ(sorted(run.runtime.placements()), sorted(run.core.placements()));
}

} // namespace
} // namespace dtf
