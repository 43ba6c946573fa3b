#pragma once
// The coordinator under CAF's deterministic `testing` scheduler, as the
// protocol tests drive it: the test plays the workers (scripted worker actors
// that record their work orders and cancels), reports their attempts and
// listens to every task update.
#include "actors/coordinator.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "deterministic_actors.hpp"
#include "actors/system_setup.hpp"
#include "actors/worker_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dtf::testing {

struct worker_log {
  std::vector<work_order> orders;
  std::vector<std::string> cancels;
  std::vector<int> slots;  // the slot count that came with each batch
};

inline worker_actor::behavior_type scripted_worker(worker_actor::pointer, std::shared_ptr<worker_log> log) {
  return {
    [log](atom::run, std::vector<work_order>& orders, int slots) {
      log->orders.insert(log->orders.end(), orders.begin(), orders.end());
      log->slots.push_back(slots);
    },
    [log](atom::cancel, const std::string& id) { log->cancels.push_back(id); },
    [](atom::done, const attempt_record&) {},
    [](atom::flush) {},
  };
}

inline worker_capability cpu_worker(const std::string& id, int slots = 2) {
  worker_capability w;
  w.id = id;
  w.kind = device_kind::cpu;
  w.name = "Test CPU " + id;
  w.memory_bytes = 64ull << 30;
  w.cores = 8;
  w.slots = slots;
  w.emulated = true;
  return w;
}

inline task cpu_task(const std::string& id, int retries = 0) {
  task t;
  t.id = id;
  t.type = task_type::test;
  t.model = "bert-base-uncased";
  t.requirements.hardware = {device_kind::cpu};
  t.retries = retries;
  t.command = {"true"};
  return t;
}

inline attempt_record outcome_of(const work_order& order, const std::string& worker_id, task_status status) {
  attempt_record r;
  r.task_id = order.work.id;
  r.worker_id = worker_id;
  r.status = status;
  r.attempt = order.attempt;
  r.duration_s = 1.5;
  r.exit_code = status == task_status::succeeded ? 0 : 1;
  return r;
}

struct protocol : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{deterministic(cfg)};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::shared_ptr<std::vector<task_update>> updates = std::make_shared<std::vector<task_update>>();
  coordinator_actor coordinator;

  /// A coordinator that journals to `journal` when one is given.
  explicit protocol(std::shared_ptr<sqlite_journal> journal = nullptr) {
    coordinator_config config;
    config.retry_backoff_s = 0.5;
    coordinator = spawn_coordinator(sys, config, std::move(journal));
    auto listener = sys.spawn(recording_listener, updates);
    caf::anon_send(coordinator, atom::subscribe_v, caf::actor_cast<caf::actor>(listener));
    sched.run();
  }

  ~protocol() override {
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::shared_ptr<worker_log> add_worker(const worker_capability& capability) {
    auto log = std::make_shared<worker_log>();
    auto handle = sys.spawn(scripted_worker, log);
    caf::anon_send(coordinator, atom::enroll_v, capability, caf::actor_cast<caf::actor>(handle));
    sched.run();
    workers.push_back(handle);
    return log;
  }

  void submit(std::vector<task> tasks) {
    caf::anon_send(coordinator, atom::submit_v, std::move(tasks));
    sched.run();
  }

  /// dtf cancel TASK.
  void cancel(const std::string& id) {
    caf::anon_send(coordinator, atom::cancel_v, id);
    sched.run();
  }

  void report(std::vector<attempt_record> reports) {
    caf::anon_send(coordinator, atom::result_v, std::move(reports));
    sched.run();
  }

  /// The last update of a task with the given kind, if any.
  const task_update* last(const std::string& id, task_event_kind kind) const {
    for (auto i = updates->rbegin(); i != updates->rend(); ++i)
      if (i->task_id == id && i->kind == kind) return &*i;
    return nullptr;
  }

  std::vector<worker_actor> workers;
};

} // namespace dtf::testing
