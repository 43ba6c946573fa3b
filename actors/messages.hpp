#pragma once
// The records that travel between dtf's actors, and `inspect` overloads for
// them and for the core types they carry (task, task_result,
// worker_capability, ...). Every message element is serializable, so the same
// actors can run across processes through CAF's middleman.
//
// CAF-free on purpose: the overloads are templates over the inspector, so the
// embedding header (actors/runtime.hpp) can expose these records without
// pulling CAF into user code.
#include "scheduler/model/attempt_record.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"
#include "scheduler/model/worker.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

namespace dtf {

/// Non-finite doubles never enter a message: they are clamped at the boundary.
inline double finite_or(double value, double fallback = 0.0) {
  return std::isfinite(value) ? value : fallback;
}

/// Whether CAF 0.17's binary format carries the double: its float packing
/// loops forever on an infinity and turns a subnormal into one.
inline bool travels(double value) { return std::isnormal(value) || value == 0.0; }
/// The double as it goes on the wire: 0 when it would not travel.
inline double wire_double(double value) { return travels(value) ? value : 0.0; }

/// One task handed to a worker: the task and which attempt this is.
struct work_order {
  task work;
  int attempt = 1;
  double predicted_duration_s = 0.0;  // the scheduler's prediction, finite
  bool predicted_from_history = false;  // false: a default estimate
};

/// Where a task stands: sent to subscribers on every lifecycle change.
enum class task_event_kind : std::uint8_t {
  accepted,     // queued (pending)
  rejected,     // refused at submission (duplicate id, ...): final
  assigned,     // placed on a worker
  started,      // the worker began running it
  attempt_done, // one attempt finished (carries `report`); a retry may follow
  retrying,     // will be requeued after a backoff
  finished,     // final: succeeded | failed | timed_out | cancelled
  unplaceable,  // final: no registered worker can ever run it (reason says why)
};

struct task_update {
  std::string task_id;
  task_event_kind kind = task_event_kind::accepted;
  task_status status = task_status::pending;
  std::string worker_id;
  int attempt = 0;
  double predicted_duration_s = 0.0;       // of the current attempt, once assigned
  std::string reason;                      // unplaceable/rejection reasons, cancel notes
  std::optional<attempt_record> report;    // set for attempt_done and finished-after-run
  /// Final because the run stopped (interrupted, or an internal failure)
  /// before the task finished; `reason` says why.
  bool stopped = false;
};

/// A worker a node offers to the coordinator (the handle travels separately).
struct worker_load {
  std::string worker_id;
  int running = 0;
  std::uint64_t completed = 0;
  double busy_s = 0.0;  // wall slot-seconds of finished attempts (see slot_utilization.hpp)
  int slots = 0;
};

/// Lifecycle counts and per-worker load, plus the scheduler's statistics.
struct runtime_stats {
  std::uint64_t submitted = 0;
  std::uint64_t pending = 0;
  std::uint64_t assigned = 0;
  std::uint64_t running = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t unplaceable = 0;
  std::uint64_t rejected = 0;
  std::uint64_t attempts = 0;
  std::uint64_t retries = 0;
  std::uint64_t workers_registered = 0;  // distinct workers that ever joined (a re-join is the same worker)
  std::uint64_t workers_lost = 0;        // of those, lost now (one that joined again is not)
  double elapsed_s = 0.0;
  std::vector<worker_load> workers;  // registration order
  /// The scheduling core's statistics (tasks by type/status, utilization,
  /// averages by type, specialization, affinity, families) as JSON text.
  std::string scheduler_stats_json;
  /// Why the run failed inside dtf (an actor's exception, see
  /// actors/actor_failure.hpp); empty when nothing failed. Unfinished tasks
  /// were cancelled with this reason.
  std::string failure;
  /// The signal that interrupted the run ("SIGINT", "SIGTERM"); empty when
  /// not interrupted. Unfinished tasks were cancelled.
  std::string interrupted;

  std::uint64_t final_count() const { return succeeded + failed + timed_out + cancelled + unplaceable + rejected; }
  bool all_final() const { return final_count() >= submitted; }
};

/// One scheduling round's output, scheduler actor -> coordinator.
struct scheduling_round {
  std::vector<assignment> assignments;
  std::vector<unplaceable_task> unplaceable;
  /// Pending tasks that wait for a lost worker (none connected can run them);
  /// sent whenever placeability is checked again.
  std::vector<stranded_task> stranded;
  /// Tasks that were on a lost worker and are pending again.
  std::vector<std::string> requeued;
};

/// A finished task to put back in the queue, avoiding the worker it failed on.
struct requeue_request {
  std::string task_id;
  std::string avoid_worker_id;
};

/// Live metrics of one worker, node -> coordinator -> scheduler.
struct worker_metrics_report {
  std::string worker_id;
  worker_metrics metrics;
};

// -- inspect overloads -------------------------------------------------------
// Loading inspectors have `writes_state`; std::optional is mapped to a flag and
// a value the way CAF 0.17 does for caf::optional.

/// A double that is finite on the wire whatever it holds: saved through
/// wire_double (a NaN, an infinity or a subnormal goes as 0), and a loaded one
/// that would not travel becomes 0 too (CAF 0.17 hangs serializing an
/// infinity, and a mutated frame must not smuggle one in).
struct finite_field {
  double& value;
};

template <class Inspector>
auto inspect(Inspector& f, finite_field& x) {
  if constexpr (Inspector::writes_state) {
    double v = 0.0;
    auto err = f(v);
    x.value = wire_double(v);
    return err;
  } else {
    double v = wire_double(x.value);
    return f(v);
  }
}

/// Named metrics whose values travel (the others are dropped: see travels()).
struct finite_metrics_field {
  std::map<std::string, double>& metrics;
};

template <class Inspector>
auto inspect(Inspector& f, finite_metrics_field& x) {
  std::map<std::string, double> tmp;
  auto keep_finite = [](const std::map<std::string, double>& from, std::map<std::string, double>& to) {
    for (const auto& [k, v] : from)
      if (travels(v)) to.emplace(k, v);
  };
  if constexpr (Inspector::writes_state) {
    auto err = f(tmp);
    x.metrics.clear();
    keep_finite(tmp, x.metrics);
    return err;
  } else {
    keep_finite(x.metrics, tmp);
    return f(tmp);
  }
}

template <class T>
struct optional_field {
  std::optional<T>& value;
};

template <class T>
struct optional_payload {
  bool& present;
  T& storage;
  template <class Inspector>
  friend auto inspect(Inspector& f, optional_payload& x) {
    return x.present ? f(x.storage) : f();
  }
};

template <class Inspector, class T>
auto inspect(Inspector& f, optional_field<T>& x) {
  if constexpr (Inspector::writes_state) {
    bool present = false;
    T tmp{};
    optional_payload<T> payload{present, tmp};
    auto err = f(present, payload);
    if constexpr (std::is_same_v<T, double>) tmp = wire_double(tmp);
    if (present)
      x.value = std::move(tmp);
    else
      x.value.reset();
    return err;
  } else {
    bool present = x.value.has_value();
    if constexpr (std::is_same_v<T, double>) {
      if (present) {
        double v = wire_double(*x.value);
        return f(present, v);
      }
    } else {
      if (present) return f(present, *x.value);
    }
    return f(present);
  }
}

/// Device kinds travel as bytes (CAF 0.17's enum-vector path trips GCC's
/// -Wmaybe-uninitialized).
struct device_kinds_field {
  std::vector<device_kind>& kinds;
};

template <class Inspector>
auto inspect(Inspector& f, device_kinds_field& x) {
  std::vector<std::uint8_t> raw;
  if constexpr (Inspector::writes_state) {
    auto err = f(raw);
    x.kinds.clear();
    for (auto k : raw) x.kinds.push_back(static_cast<device_kind>(k));
    return err;
  } else {
    for (auto k : x.kinds) raw.push_back(static_cast<std::uint8_t>(k));
    return f(raw);
  }
}

template <class Inspector>
auto inspect(Inspector& f, task_requirements& x) {
  device_kinds_field hardware{x.hardware};
  optional_field<double> cc{x.min_cuda_compute};
  optional_field<std::string> device{x.device};
  finite_field memory{x.min_memory_gb};
  return f(hardware, memory, cc, x.gfx_arch, device, x.require_device, x.labels, x.min_cores);
}

template <class Inspector>
auto inspect(Inspector& f, task& x) {
  finite_field timeout{x.timeout_s};
  return f(x.id, x.type, x.priority, x.model, x.batch_size, x.requirements, x.command, x.env,
           x.working_directory, timeout, x.retries, x.sequence, x.origin);
}

template <class Inspector>
auto inspect(Inspector& f, task_result& x) {
  finite_field duration{x.duration_s};
  finite_metrics_field metrics{x.metrics};
  return f(x.task_id, x.worker_id, x.status, duration, x.exit_code, x.model, x.type, x.batch_size,
           x.attempt, metrics);
}

template <class Inspector>
auto inspect(Inspector& f, worker_capability& x) {
  optional_field<double> cc{x.compute_capability};
  finite_field speed{x.speed};
  finite_field time_scale{x.time_scale};
  return f(x.id, x.kind, x.name, x.memory_bytes, cc, x.arch, x.cores, x.pus, x.labels, x.slots, speed,
           x.emulated, time_scale, x.cpuset, x.numa_nodes, x.pci_bus_id, x.device_index, x.host, x.backends, x.visible_device);
}

template <class Inspector>
auto inspect(Inspector& f, worker_metrics& x) {
  optional_field<double> utilization{x.utilization};
  optional_field<std::uint64_t> memory{x.memory_used_bytes};
  optional_field<double> temperature{x.temperature_c};
  optional_field<double> power{x.power_w};
  optional_field<double> power_limit{x.power_limit_w};
  return f(utilization, memory, temperature, power, power_limit);
}

template <class Inspector>
auto inspect(Inspector& f, assignment& x) {
  finite_field score{x.score};
  finite_field predicted{x.predicted_duration_s};
  finite_field predicted_p90{x.predicted_p90_s};
  finite_field cutoff{x.cutoff_s};
  return f(x.task_id, x.worker_id, score, predicted, x.backup, x.predicted_from_history, predicted_p90, cutoff);
}

template <class Inspector>
auto inspect(Inspector& f, unplaceable_task& x) {
  return f(x.task_id, x.reasons);
}

template <class Inspector>
auto inspect(Inspector& f, stranded_task& x) {
  return f(x.task_id, x.lost_workers, x.reasons);
}

template <class Inspector>
auto inspect(Inspector& f, result_effect& x) {
  optional_field<std::string> cancel{x.cancel_on_worker};
  return f(cancel, x.still_running, x.requeued);
}

template <class Inspector>
auto inspect(Inspector& f, work_order& x) {
  finite_field predicted{x.predicted_duration_s};
  return f(x.work, x.attempt, predicted, x.predicted_from_history);
}

template <class Inspector>
auto inspect(Inspector& f, attempt_record& x) {
  finite_field speed{x.speed};
  finite_field start{x.start_unix_s};
  finite_field end{x.end_unix_s};
  finite_field duration{x.duration_s};
  optional_field<double> modeled{x.modeled_s};
  optional_field<double> predicted{x.predicted_s};
  finite_metrics_field metrics{x.metrics};
  return f(x.task_id, x.worker_id, x.attempt, x.model, x.type, x.batch_size, x.device_name, x.kind, speed,
           x.worker_slots, x.status, x.exit_code, x.term_signal, x.error, start, end, duration, modeled, predicted,
           x.predicted_from_history, x.predicted_from_known, metrics, x.stdout_path, x.stderr_path, x.stderr_tail,
           x.stdout_bytes, x.stderr_bytes, x.output_truncated);
}

template <class Inspector>
auto inspect(Inspector& f, task_update& x) {
  optional_field<attempt_record> report{x.report};
  finite_field predicted{x.predicted_duration_s};
  return f(x.task_id, x.kind, x.status, x.worker_id, x.attempt, predicted, x.reason, report, x.stopped);
}

template <class Inspector>
auto inspect(Inspector& f, worker_load& x) {
  finite_field busy{x.busy_s};
  return f(x.worker_id, x.running, x.completed, busy, x.slots);
}

template <class Inspector>
auto inspect(Inspector& f, runtime_stats& x) {
  finite_field elapsed{x.elapsed_s};
  return f(x.submitted, x.pending, x.assigned, x.running, x.succeeded, x.failed, x.timed_out, x.cancelled,
           x.unplaceable, x.rejected, x.attempts, x.retries, x.workers_registered, x.workers_lost, elapsed,
           x.workers, x.scheduler_stats_json, x.failure, x.interrupted);
}

template <class Inspector>
auto inspect(Inspector& f, scheduling_round& x) {
  return f(x.assignments, x.unplaceable, x.stranded, x.requeued);
}

template <class Inspector>
auto inspect(Inspector& f, requeue_request& x) {
  return f(x.task_id, x.avoid_worker_id);
}

template <class Inspector>
auto inspect(Inspector& f, worker_metrics_report& x) {
  return f(x.worker_id, x.metrics);
}

} // namespace dtf
