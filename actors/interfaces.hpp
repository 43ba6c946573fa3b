#pragma once
// Every typed actor interface of dtf (CAF 0.17 syntax). Hot paths are
// asynchronous and batched: tasks, assignments, work orders and results move
// in vectors, and no handler inside the pipeline blocks on a request.
// Handles travel in messages as `caf::actor` and are actor_cast on receipt.
#include "actors/type_ids.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dtf {

/// Receives lifecycle events (anything that subscribed at the coordinator).
using event_listener_actor = caf::typed_actor<
  /// A batch of task updates, in the order they happened.
  caf::reacts_to<atom::event, std::vector<task_update>>>;

/// One per device: runs tasks, reports results and metrics.
using worker_actor = caf::typed_actor<
  /// Work orders, and how many tasks the worker runs at once (its slots as
  /// the coordinator counts them; 0: no limit). Orders beyond the free slots
  /// (the coordinator's prefetch) wait on the worker in arrival order and
  /// start as slots free, without a round trip. Zero-duration emulated tasks
  /// finish inline; the rest run without blocking the mailbox. Results go
  /// back to the coordinator in batches (`atom::result`), tasks that keep
  /// running are announced with `atom::started` when they start.
  caf::reacts_to<atom::run, std::vector<work_order>, int>,
  /// Cancels a running or queued task (kills its process group / drops its
  /// timer / takes it off the queue); the attempt is reported cancelled.
  caf::reacts_to<atom::cancel, std::string>,
  /// Internal: an attempt finished on the worker's execution helper or timer.
  caf::reacts_to<atom::done, attempt_record>,
  /// Internal: sends the results collected since the last flush as one batch.
  caf::reacts_to<atom::flush>>;

/// The scoring actor: wraps scheduler_core (capability records, live metrics,
/// pending tasks, learning state) and answers with assignment batches. The
/// core is the run's only learner: every result is learned once, there, the
/// way `dtf simulate` learns it. Every round goes to the coordinator as one
/// `atom::assign`; what the core decided about each result as `atom::result`.
using scheduler_actor = caf::typed_actor<
  /// Registers workers (registration order is the tie-break).
  caf::reacts_to<atom::enroll, std::vector<worker_capability>>,
  /// Removes a lost worker; its placed tasks become pending again and are
  /// listed in the next round's `requeued`. The flag: it may join again (a
  /// task only it could run is then `stranded`, not `unplaceable`).
  caf::reacts_to<atom::remove, std::string, bool>,
  /// Live metrics of workers (the efficiency term uses them).
  caf::reacts_to<atom::metrics, std::vector<worker_metrics_report>>,
  /// Pending tasks to place.
  caf::reacts_to<atom::submit, std::vector<task>>,
  /// Finished attempts: frees slots and feeds specialization, affinity and
  /// the core's predictor (record_result with model and type). Answers the
  /// coordinator, before the next round, with one result_effect per result
  /// in the same order: which attempt to cancel after a backup race, or that
  /// the task still runs on its other attempt.
  caf::reacts_to<atom::result, std::vector<task_result>>,
  /// Failed attempts to retry, preferring another worker.
  caf::reacts_to<atom::requeue, std::vector<requeue_request>>,
  /// Cancels pending or placed tasks.
  caf::reacts_to<atom::cancel, std::vector<std::string>>,
  /// Internal: run one scheduling round (coalesces bursts of input).
  caf::reacts_to<atom::schedule>,
  /// The core's statistics as JSON text (also published to the observation
  /// board, when there is one).
  caf::replies_to<atom::stats>::with<std::string>,
  /// Explains the task (the decision kept, else how it would be decided now)
  /// and posts the JSON to the observation board (the HTTP server's /tasks/ID).
  caf::reacts_to<atom::explain, task>,
  /// Internal: periodic tick that publishes the statistics to the observation
  /// board while a reader asks for them.
  caf::reacts_to<atom::observe>>;

/// Owns the task lifecycle (pending -> assigned -> running -> succeeded |
/// failed | timed_out | cancelled, retries with backoff), the worker registry
/// and the public API. Decides batching and back-pressure: it feeds the
/// scheduler a bounded window of pending tasks.
using coordinator_actor = caf::typed_actor<
  /// Queues tasks; replies with how many were accepted (duplicates and
  /// invalid tasks are rejected with a `rejected` event).
  caf::replies_to<atom::submit, std::vector<task>>::with<std::uint64_t>,
  /// Cancels a pending or running task; false if unknown or already final.
  caf::replies_to<atom::cancel, std::string>::with<bool>,
  /// Cancels every task that is not final yet; replies with how many.
  caf::replies_to<atom::cancel, atom::all>::with<std::uint64_t>,
  /// The latest update of one task (kind `rejected` with a reason if unknown).
  caf::replies_to<atom::status, std::string>::with<task_update>,
  /// Lifecycle counts, per-worker load and the scheduler's statistics.
  caf::replies_to<atom::stats>::with<runtime_stats>,
  /// Replies once every submitted task is final (immediately if none).
  caf::replies_to<atom::drain>::with<runtime_stats>,
  /// Subscribes an event listener (a caf::actor implementing
  /// event_listener_actor) to every task update.
  caf::reacts_to<atom::subscribe, caf::actor>,
  /// Registers a worker (a caf::actor implementing worker_actor); the
  /// coordinator monitors it and re-queues its tasks when it goes down.
  /// Idempotent: the same actor enrolled again is answered true and changes
  /// nothing; another actor under the id of a live worker is answered false.
  caf::replies_to<atom::enroll, worker_capability, caf::actor>::with<bool>,
  /// How many of these workers (ids, and the actors enrolled under them) are
  /// members now: enrolled and not declared lost. A node asks it now and then
  /// and joins again when the answer falls short (the coordinator dropped it,
  /// whatever its side of the connection says).
  caf::replies_to<atom::member, std::vector<std::string>, std::vector<caf::actor>>::with<std::uint64_t>,
  /// Scheduler output: assignments, unplaceable and stranded tasks, requeued tasks.
  caf::reacts_to<atom::assign, scheduling_round>,
  /// Tasks a worker began running (worker id, task ids).
  caf::reacts_to<atom::started, std::string, std::vector<std::string>>,
  /// Finished attempts from a worker. What each means for its task (finished,
  /// retried, still running on its other attempt, the other attempt
  /// cancelled) is decided once the scheduler's core has recorded it.
  caf::reacts_to<atom::result, std::vector<attempt_record>>,
  /// The core's result_effect for each result the coordinator forwarded, in
  /// the order forwarded: the coordinator follows it.
  caf::reacts_to<atom::result, std::vector<result_effect>>,
  /// Live metrics from nodes, forwarded to the scheduler.
  caf::reacts_to<atom::metrics, std::vector<worker_metrics_report>>,
  /// Internal: a retry backoff elapsed for this task.
  caf::reacts_to<atom::retry, std::string>,
  /// An actor of the run failed (report_exceptions' text): the run stops,
  /// unfinished tasks are cancelled, and the statistics carry the text.
  caf::reacts_to<atom::failed, std::string>,
  /// Stop the run (a signal, named here): nothing more is placed, running
  /// tasks are cancelled on their workers and end when those report.
  caf::reacts_to<atom::interrupt, std::string>,
  /// Internal: the wait for workers' cancelled reports is over.
  caf::reacts_to<atom::abandon>,
  /// The HTTP server asks for a task's explanation: forwarded to the scheduler
  /// with the task (an unknown id is answered on the board at once).
  caf::reacts_to<atom::explain, std::string>,
  /// Internal: periodic tick that publishes the run's view to the observation
  /// board while a reader asks for it.
  caf::reacts_to<atom::observe>>;

/// One per node with real devices: samples their live metrics (utilization,
/// memory used, temperature, power) on a thread of its own and sends them to
/// the coordinator (`atom::metrics`), which forwards them to the scheduler.
using metrics_sampler_actor = caf::typed_actor<
  /// The coordinator (a caf::actor implementing coordinator_actor) to send to.
  caf::reacts_to<atom::join, caf::actor>,
  /// Samples every device now and sends one batch; replies with the number of
  /// devices reported (0 before a join).
  caf::replies_to<atom::sample>::with<std::uint64_t>>;

/// One per host: probes the devices, spawns one worker per device (and the
/// emulated workers it was given), registers them with a coordinator and has
/// its real devices' live metrics sampled periodically (metrics_sampler_actor).
using node_actor = caf::typed_actor<
  /// Joins a coordinator (a caf::actor implementing coordinator_actor):
  /// registers every worker and sends their first metrics sample; replies
  /// with the number registered once both are done, so that the scheduler
  /// knows the devices' state before any task submitted after the join.
  caf::replies_to<atom::join, caf::actor>::with<std::uint64_t>,
  /// How many of its workers the coordinator it joined counts as members
  /// (an error when it does not answer within the request timeout).
  caf::replies_to<atom::member>::with<std::uint64_t>,
  /// Internal: periodic metrics sampling.
  caf::reacts_to<atom::sample>>;

} // namespace dtf
