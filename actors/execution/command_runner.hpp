#pragma once
// Runs one task attempt on one worker, without CAF: a real subprocess for
// real workers (run_command), a modeled wait for emulated ones (run_emulated).
// Both block the calling thread; callers run them off the actor threads.
#include "actors/execution/cancel_token.hpp"
#include "scheduler/model/attempt_record.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"
#include "scheduler/model/worker.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

namespace dtf {

struct run_request {
  /// command argv already substituted, env, working_directory, timeout_s (<= 0: no timeout).
  task t;
  /// kind and device_index pin the device; cpuset (e.g. "0-3,8") binds the process.
  worker_capability worker;
  int attempt = 1;
  /// Per-attempt files: <output_dir>/<task>.<attempt>.stdout / .stderr (task id
  /// with characters outside [A-Za-z0-9._-] replaced by '_', cut at 120 bytes,
  /// and then followed by '-' and 8 hex digits of a hash of the id, so ids
  /// never share files). Created if missing; never opened through a symlink
  /// (an existing link there is a failed outcome).
  std::filesystem::path output_dir;
  /// Per stream; beyond it the file ends with a truncation marker and the rest is
  /// discarded (still read, so the child never blocks, and still scanned for metrics).
  std::size_t output_cap_bytes = 1 << 20;
  /// TERM, then KILL after this.
  double kill_grace_s = 2.0;
};


/// Blocking: runs the command as a real subprocess in its own process group
/// (started with clone(CLONE_VM | CLONE_VFORK), never a fork of dtf: process_spawn.hpp) and returns when it and every process left in its group are gone. Timeout and
/// cancellation send SIGTERM to the group, then SIGKILL after kill_grace_s; a
/// normal exit of the main process also ends what it left behind in the group.
/// Processes that left the group (setsid, a double fork) are ended too, once
/// the group is gone: they carry the attempt's DTF_ATTEMPT_KEY in their
/// environment and are re-parented to dtf (a child subreaper), which kills and
/// reaps them (process_tree.hpp); the outcome's error counts them.
/// Returns the attempt's record (attempt_record_for the request's task, worker
/// and attempt, with status, exit code, signal, times, output paths and sizes,
/// DTF_METRICS and the stderr tail). Never throws for a command that cannot
/// start: that is a failed record with `error` set. Safe to call from several threads at once.
///
/// Environment: the parent's environment, then the task's env, then (winning
/// over both, so a task cannot grab another worker's device) the device pinning:
/// cuda -> CUDA_VISIBLE_DEVICES=<visible_device, else device_index> (a MIG
/// instance: "MIG-<uuid>"); rocm -> HIP_VISIBLE_DEVICES and
/// ROCR_VISIBLE_DEVICES=<device_index>; cpu -> CUDA_VISIBLE_DEVICES="" — and
/// DTF_TASK_ID, DTF_WORKER_ID, DTF_ATTEMPT, and DTF_ATTEMPT_KEY (unique per attempt).
///
/// On first use the process starts its command guardian (command_guardian.hpp)
/// and becomes a child subreaper (PR_SET_CHILD_SUBREAPER), so that orphaned
/// grandchildren of a command are reparented to it and reaped here rather than
/// lingering as zombies that keep their group alive.
///
/// dtf killed outright (SIGKILL, a crash): the command gets SIGKILL from the
/// kernel (PR_SET_PDEATHSIG, process_spawn.hpp) and every process left in its
/// group from the guardian; processes that left the group are not found then.
attempt_record run_command(const run_request& request, const cancel_token& token);

/// The emulated execution-time model, in seconds, deterministic:
///
///   duration = type_base_s(type) * family_factor(model) * batch_factor(batch_size)
///              * kind_factor(worker.kind) / speed  +  (model_warm ? 0 : load_s(model))
///
///   type_base_s:   benchmark 30, test 10, custom 20
///   family_factor: llama/opt/llava 8, t5 3, whisper 3, clip/blip 2.5, vit/deit 2,
///                  wav2vec2/hubert 2, bert/roberta 1, other or no model 1.5
///   batch_factor:  sqrt(batch_size / 8), 1 when batch_size is not given (0)
///   kind_factor:   cpu 5 (model work is slower on CPUs), cuda and rocm 1
///   speed:         worker.speed (non-positive or non-finite is taken as 1)
///   load_s:        2 * family_factor when the task has a model, else 0; loading
///                  weights is I/O-bound, so it does not scale with speed
double emulated_duration_s(const task& t, const worker_capability& worker, bool model_warm);

/// What an emulated attempt amounts to, for callers that wait with their own
/// timers (an actor's delayed message) rather than blocking in run_emulated.
struct emulated_run_plan {
  double modeled_s = 0;    // emulated_duration_s(...), unscaled
  bool times_out = false;  // the model exceeds the task's timeout_s (> 0)
  double wall_wait_s = 0;  // (times_out ? timeout_s : modeled_s) * time_scale
  double time_scale = 1;   // wall seconds per modeled second (finite, >= 0)
};
/// A non-finite or negative time_scale is taken as 1.
emulated_run_plan plan_emulated_run(const task& t, const worker_capability& worker, bool model_warm, double time_scale);
/// The record of a planned emulated attempt of the request that started at
/// start_unix_s and waited waited_s of wall time (cancelled: it was stopped
/// early). Sets status, exit_code (0 on success, else -1), wall times, error,
/// modeled_s (the modeled seconds it ran: the model, the timeout when it times
/// out, the elapsed share when cancelled) and metrics["emulated_duration_s"].
attempt_record emulated_outcome(const run_request& request, const emulated_run_plan& plan, double start_unix_s,
                                double waited_s, bool cancelled);

/// Emulated workers: waits emulated_duration_s(...) * time_scale of wall time,
/// interruptible by the token, and returns success (cancelled when the token
/// fires; timed_out when the modeled duration exceeds the task's timeout_s, after
/// waiting timeout_s * time_scale). duration_s is the wall time waited,
/// modeled_s the modeled seconds; the unscaled model value is also in
/// metrics["emulated_duration_s"].
attempt_record run_emulated(const run_request& request, const cancel_token& token, bool model_warm,
                         double time_scale);

} // namespace dtf
