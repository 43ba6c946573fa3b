#pragma once
// The coordinator: task lifecycle, worker registry, public API. Spawns and
// links the scheduler (scoring actor) and the predictor it talks to.
#include "actors/interfaces.hpp"
#include "actors/journal/journal_records.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <caf/fwd.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dtf {

class observation_board;

/// A task of a resumed run that ended before the coordinator restarted, as
/// the journal recorded it, with its last attempt (none: it never ran).
struct ended_task {
  journal_task task;
  std::optional<attempt_record> last_attempt;
};

struct coordinator_config {
  scheduler_config scheduling;
  /// Placement policy by name (see make_policy); "intelligent" by default.
  std::string policy = "intelligent";
  /// Back-pressure: most tasks the scheduler holds at once (pending + placed).
  /// 0 = automatic: max(256, 4 x the registered slots).
  std::size_t scheduler_window = 0;
  /// Retry backoff: first delay, doubled per failure, capped.
  double retry_backoff_s = 0.2;
  double retry_backoff_max_s = 5.0;
  /// Results of earlier runs (the journal's history), learned by the
  /// scheduler's core before the first task: a run starts from what the
  /// earlier ones measured. In-process only, never sent.
  std::shared_ptr<const std::vector<attempt_record>> history;
  /// A resumed run (dtf run --resume): attempts its tasks already made, by
  /// task id. Their attempt numbers continue after these, so the journal and
  /// the results never hold two attempts with one number. In-process only.
  std::unordered_map<std::string, int> resumed_attempts;
  /// A resumed run (dtf coordinator on its journal): the tasks that ended
  /// before the restart. Known from the start (dtf status, /tasks) with the
  /// status and attempts the journal recorded, counted in the statistics
  /// (attempts included), never placed nor journaled again. In-process only.
  std::vector<ended_task> ended_before;
  /// Told (on the coordinator's thread) when a worker joins or is lost, one
  /// line each: `dtf coordinator` prints them. In-process only.
  std::function<void(const std::string&)> membership_log;
  /// A lost worker may join again (dtf coordinator: a node that died or hung
  /// comes back under its name): a task only it could run waits for it
  /// instead of ending unplaceable. dtf run: false, its workers never return.
  bool lost_workers_may_return = false;
  /// Where the coordinator and the scheduler publish what the HTTP server
  /// shows (actors/observation); null: nothing is published.
  std::shared_ptr<observation_board> board;
};

class sqlite_journal;

/// `journal` (optional) records every lifecycle change; the coordinator is its
/// only user once spawned.
coordinator_actor spawn_coordinator(caf::actor_system& system, coordinator_config config,
                                    std::shared_ptr<sqlite_journal> journal = nullptr);

} // namespace dtf
