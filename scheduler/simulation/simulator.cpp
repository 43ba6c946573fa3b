#include "scheduler/simulation/simulator.hpp"

#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/model/worker_slots.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/core/scheduler_stats.hpp"
#include "scheduler/learning/rank_correlation.hpp"
#include "scheduler/simulation/policy_variants.hpp"

#include <algorithm>
#include <ctime>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <span>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace dtf {
namespace {

/// The models a worker holds warm, most recently started first (by model
/// number: the trace's distinct model names, numbered once).
class warm_models {
public:
  explicit warm_models(std::size_t capacity) : capacity_(capacity) {}
  /// Starts a task of `model`: true when it was warm (then it moves to the front).
  bool start(std::uint32_t model) {
    auto it = std::find(models_.begin(), models_.end(), model);
    const bool warm = it != models_.end();
    if (warm) models_.erase(it);
    if (capacity_ == 0) return warm;
    if (models_.size() >= capacity_) models_.pop_back();
    models_.insert(models_.begin(), model);
    return warm;
  }

private:
  std::size_t capacity_;
  std::vector<std::uint32_t> models_;
};

/// Numbers the trace's model names (in order of first appearance).
std::vector<std::uint32_t> model_numbers(const trace& tasks) {
  std::unordered_map<std::string, std::uint32_t> numbers;  // lookups only
  std::vector<std::uint32_t> out;
  out.reserve(tasks.tasks.size());
  for (const auto& t : tasks.tasks)
    out.push_back(numbers.try_emplace(t.spec.model, static_cast<std::uint32_t>(numbers.size())).first->second);
  return out;
}

struct running_task {
  double end_s;
  std::uint64_t placement;  // tie-break between equal end times
  std::size_t task;
  std::size_t worker;
  double measured_s;
  bool cut = false;  // a probe stopped at its cut-off (measured_s is then the cut-off)
  bool operator>(const running_task& o) const { return std::tie(end_s, placement) > std::tie(o.end_s, o.placement); }
};

/// Workers of identical capability (all but id) form one class.
auto capability_key(const worker_capability& w) {
  return std::tie(w.kind, w.name, w.memory_bytes, w.compute_capability, w.arch, w.cores, w.labels, w.speed, w.slots);
}

/// CPU time of this thread: the scheduler's cost must not count the time the
/// machine gave to other processes.
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

struct presence_change {
  double at_s;
  bool join;  // else leave
  std::size_t worker;
};

/// Joins and leaves in time order (leaves first at equal times, then fleet order).
std::vector<presence_change> presence_changes(const fleet_dynamics& dynamics,
                                              const std::unordered_map<std::string, std::size_t>& worker_index) {
  std::vector<presence_change> out;
  std::vector<bool> listed(worker_index.size(), false);
  for (const auto& p : dynamics.presence) {
    auto it = worker_index.find(p.worker_id);
    if (it == worker_index.end()) throw input_error("", 0, "presence", "unknown worker '" + p.worker_id + "'");
    if (listed[it->second]) throw input_error("", 0, "presence", "worker '" + p.worker_id + "' listed twice");
    if (!(p.join_s >= 0) || !std::isfinite(p.join_s) || !(p.leave_s > p.join_s))
      throw input_error("", 0, "presence", "worker '" + p.worker_id + "' must join at a time >= 0 before it leaves");
    listed[it->second] = true;
    if (p.join_s > 0) out.push_back({p.join_s, true, it->second});
    if (std::isfinite(p.leave_s)) out.push_back({p.leave_s, false, it->second});
  }
  std::sort(out.begin(), out.end(), [](const presence_change& a, const presence_change& b) {
    return std::tie(a.at_s, a.join, a.worker) < std::tie(b.at_s, b.join, b.worker);
  });
  return out;
}

} // namespace

lower_bound_instance make_lower_bound_instance(const trace& tasks, const std::vector<worker_capability>& fleet,
                                               const scheduler_config& config) {
  lower_bound_instance instance;
  std::vector<const worker_capability*> representative;
  std::map<decltype(capability_key(fleet.front())), std::size_t> classes;
  for (const auto& w : fleet) {
    const int slots = configured_slots(w, config);
    auto [it, fresh] = classes.try_emplace(capability_key(w), representative.size());
    if (fresh) {
      representative.push_back(&w);
      instance.class_slots.push_back(0);
    }
    instance.class_slots[it->second] += slots;
  }
  constexpr double infeasible = std::numeric_limits<double>::infinity();
  for (const auto& t : tasks.tasks) {
    lower_bound_instance::job job{t.arrival_s, std::vector<double>(representative.size(), infeasible)};
    bool any = false;
    for (std::size_t c = 0; c < representative.size(); ++c) {
      const auto& w = *representative[c];
      if (instance.class_slots[c] == 0 || first_rejection(t.spec.requirements, w)) continue;
      if (auto d = true_duration_s(t, w)) {
        job.duration_s[c] = *d / w.speed;
        any = true;
      }
    }
    if (any) instance.jobs.push_back(std::move(job));
  }
  return instance;
}

simulation_result simulate(const trace& tasks, const std::vector<worker_capability>& fleet,
                           const simulation_options& options, const fleet_dynamics& dynamics) {
  const auto variant = resolve_policy_variant(options.policy, options.config);
  if (!variant) throw input_error("", 0, "policy", "unknown policy '" + options.policy + "'");
  scheduler_core core(variant->config, make_policy(variant->policy, variant->config));
  std::unordered_map<std::string, std::size_t> worker_index;  // lookups only
  std::vector<std::string> worker_ids;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    worker_index.emplace(fleet[i].id, i);
    worker_ids.push_back(fleet[i].id);
  }
  const worker_speed_timeline speed(dynamics, worker_ids);
  const auto changes = presence_changes(dynamics, worker_index);
  std::vector<bool> present_from_start(fleet.size(), true);
  for (const auto& c : changes)
    if (c.join) present_from_start[c.worker] = false;
  for (std::size_t i = 0; i < fleet.size(); ++i)
    if (present_from_start[i]) core.add_worker(fleet[i]);
  std::vector<warm_models> warm(fleet.size(), warm_models(options.warm_models_per_worker));
  const auto model_of = model_numbers(tasks);

  // Arrival order: time, then file order.
  std::vector<std::size_t> arrival_order(tasks.tasks.size());
  for (std::size_t i = 0; i < arrival_order.size(); ++i) arrival_order[i] = i;
  std::stable_sort(arrival_order.begin(), arrival_order.end(),
                   [&](std::size_t a, std::size_t b) { return tasks.tasks[a].arrival_s < tasks.tasks[b].arrival_s; });
  std::unordered_map<std::string, std::size_t> task_index;  // lookups only
  task_index.reserve(tasks.tasks.size());
  for (std::size_t i = 0; i < tasks.tasks.size(); ++i) task_index.emplace(tasks.tasks[i].spec.id, i);

  simulation_result out;
  out.policy = options.policy;
  out.tasks = tasks.tasks.size();
  out.workers = fleet.size();
  std::priority_queue<running_task, std::vector<running_task>, std::greater<>> running;
  std::vector<double> completion_s, errors;
  std::vector<bool> within_p90;  // per placement: the run ended at or under its predicted p90
  std::vector<double> predicted_s, measured_run_s;  // per placement (first attempts), in placement order
  completion_s.reserve(tasks.tasks.size());
  errors.reserve(tasks.tasks.size());
  double wait_sum = 0.0, busy_s = 0.0;
  double weighted_completion_sum = 0.0, weight_sum = 0.0;
  std::vector<bool> finished(tasks.tasks.size(), false);
  auto complete = [&](std::size_t task, double at_s) {
    const auto& t = tasks.tasks[task];
    finished[task] = true;
    const double weight = 1.0 + std::max(t.spec.priority, 0);
    completion_s.push_back(at_s - t.arrival_s);
    weighted_completion_sum += weight * (at_s - t.arrival_s);
    weight_sum += weight;
  };
  std::size_t with_model = 0, warm_hits = 0;
  double in_schedule_s = 0.0;
  std::size_t next_arrival = 0, next_change = 0, unfinished = 0;
  std::uint64_t placements = 0;
  // Attempts in flight per task (two while a backup runs), by placement number;
  // a cancelled attempt stays in the heap and is skipped when it comes up.
  std::vector<std::vector<std::uint64_t>> attempts_of(tasks.tasks.size());
  struct attempt { std::size_t task; std::size_t worker; double start_s; double measured_s; bool cancelled = false; };
  std::vector<attempt> placed;  // by placement number
  // Stops attempt p at `now`: its slot time so far counts as spent, the rest as never run.
  auto stop_attempt = [&](std::uint64_t p, double now) {
    placed[p].cancelled = true;
    const double spent = now - placed[p].start_s;
    busy_s -= placed[p].measured_s - spent;
    if (options.record_timeline) out.timeline[p].end_s = now, out.timeline[p].cancelled = true;
    return spent;
  };

  while (next_arrival < arrival_order.size() || !running.empty() ||
         (next_change < changes.size() && unfinished > 0)) {
    double now = std::numeric_limits<double>::infinity();
    if (next_arrival < arrival_order.size()) now = tasks.tasks[arrival_order[next_arrival]].arrival_s;
    if (!running.empty()) now = std::min(now, running.top().end_s);
    if (auto wake = core.next_wakeup_s(); wake && !running.empty()) now = std::min(now, *wake);
    if (next_change < changes.size() && unfinished > 0) now = std::min(now, changes[next_change].at_s);
    if (options.horizon_s > 0 && now > options.horizon_s) break;

    while (!running.empty() && running.top().end_s <= now) {
      const auto done = running.top();
      running.pop();
      if (placed[done.placement].cancelled) continue;
      const auto& t = tasks.tasks[done.task];
      task_result r;
      r.task_id = t.spec.id;
      r.worker_id = fleet[done.worker].id;
      r.status = done.cut ? task_status::timed_out : task_status::succeeded;
      r.duration_s = done.measured_s;
      r.model = t.spec.model;
      r.type = t.spec.type;
      r.batch_size = t.spec.batch_size;
      const auto effect = core.record_result(r, now);
      auto& mine = attempts_of[done.task];
      if (done.cut) {
        // Stopped at its cut-off: the core queued the task again, or its backup keeps it.
        if (!effect.requeued && !effect.still_running)
          throw std::logic_error("an attempt cut off left its task nowhere: " + t.spec.id);
        std::erase(mine, done.placement);
        ++out.probes_cut;
        out.probe_cut_s += done.measured_s;
        if (options.record_timeline) out.timeline[done.placement].cancelled = true;
        continue;
      }
      if (effect.cancel_on_worker) {
        // The other attempt lost: it stops now, its time so far was spent for nothing.
        for (auto p : mine)
          if (p != done.placement && placed[p].worker == worker_index.at(*effect.cancel_on_worker))
            out.backup_wasted_s += stop_attempt(p, now);
        if (done.placement != mine.front()) ++out.backups_won;
      }
      std::vector<std::uint64_t>{}.swap(mine);  // done: free its attempts
      ++out.completed;
      --unfinished;
      out.makespan_s = std::max(out.makespan_s, done.end_s);
      complete(done.task, done.end_s);
    }
    for (; next_change < changes.size() && changes[next_change].at_s <= now; ++next_change) {
      const std::size_t wi = changes[next_change].worker;
      if (changes[next_change].join) {
        core.add_worker(fleet[wi]);
        continue;
      }
      // Leaving: the attempts running there are lost; the core requeues their tasks.
      for (std::uint64_t p = 0; p < placed.size(); ++p) {
        if (placed[p].worker != wi || placed[p].cancelled) continue;
        auto& mine = attempts_of[placed[p].task];
        auto it = std::find(mine.begin(), mine.end(), p);
        if (it == mine.end()) continue;  // finished
        mine.erase(it);
        out.lost_to_churn_s += stop_attempt(p, now);
      }
      core.remove_worker(fleet[wi].id);
      warm[wi] = warm_models(options.warm_models_per_worker);
    }
    while (next_arrival < arrival_order.size() && tasks.tasks[arrival_order[next_arrival]].arrival_s <= now) {
      // Without a timeout: no run is killed here, so none may steer a placement.
      task spec = tasks.tasks[arrival_order[next_arrival++]].spec;
      spec.timeout_s = 0.0;
      core.submit(std::move(spec), now);
      ++unfinished;
    }

    const double started_s = thread_cpu_s();
    const auto assignments = core.schedule(now);
    in_schedule_s += thread_cpu_s() - started_s;

    for (const auto& a : assignments) {
      const std::size_t ti = task_index.at(a.task_id);
      const std::size_t wi = worker_index.at(a.worker_id);
      const auto& t = tasks.tasks[ti];
      const auto& w = fleet[wi];
      const auto true_s = true_duration_s(t, w);
      if (!true_s)
        throw input_error(tasks.file, t.line, "duration",
                          "task '" + t.spec.id + "' has no duration for worker '" + w.id + "' (" + w.name + ", " +
                              std::string{to_string(w.kind)} +
                              ") although the worker meets its requirements: the trace does not match the fleet");
      double load_s = 0.0;
      if (!t.spec.model.empty()) {
        if (!a.backup) ++with_model;
        if (warm[wi].start(model_of[ti])) warm_hits += a.backup ? 0 : 1;
        else load_s = t.load_s;
      }
      double measured_s = speed.run_s(wi, now, *true_s / w.speed + load_s);
      // A probe runs until its cut-off at most (the simulator's clock is the workers').
      const bool cut = a.cutoff_s > 0.0 && measured_s > a.cutoff_s;
      if (cut) measured_s = a.cutoff_s;
      if (a.cutoff_s > 0.0) ++out.probes_started;
      attempts_of[ti].push_back(placements);
      placed.push_back({ti, wi, now, measured_s});
      running.push({now + measured_s, placements++, ti, wi, measured_s, cut});
      busy_s += measured_s;
      out.load_time_s += load_s;
      if (a.backup) {
        ++out.backups_started;
      } else if (!cut) {  // a probe cut off is no decision: its task is decided again

        ++out.decisions;
        wait_sum += now - t.arrival_s;
        errors.push_back(std::abs(a.predicted_duration_s - measured_s) / measured_s);
        if (a.predicted_p90_s > 0.0) within_p90.push_back(measured_s <= a.predicted_p90_s);
        predicted_s.push_back(a.predicted_duration_s);
        measured_run_s.push_back(measured_s);
      }
      if (options.record_timeline)
        out.timeline.push_back({t.spec.id, w.id, t.arrival_s, now, now + measured_s, load_s, a.predicted_duration_s,
                                a.score, a.backup, false});
    }
  }

  if (options.horizon_s > 0 && unfinished > 0) {
    // Censored: what still runs or waits at the horizon counts until then.
    const double end_s = options.horizon_s;
    for (; !running.empty(); running.pop())
      if (!placed[running.top().placement].cancelled && running.top().end_s > end_s)
        busy_s -= running.top().end_s - end_s;
    for (std::size_t i = 0; i < next_arrival; ++i)
      if (!finished[arrival_order[i]]) complete(arrival_order[i], end_s);
    out.censored = unfinished;
    out.makespan_s = end_s;
  }
  out.unscheduled = tasks.tasks.size() - out.completed - out.censored;
  if (!completion_s.empty()) {
    double sum = 0.0;
    for (double c : completion_s) sum += c;
    out.mean_completion_s = sum / static_cast<double>(completion_s.size());
    out.p95_completion_s = percentile(completion_s, 0.95);
    out.priority_weighted_completion_s = weighted_completion_sum / weight_sum;
    out.mean_wait_s = wait_sum / static_cast<double>(std::max<std::size_t>(out.decisions, 1));
  }
  // Slots of every worker of the fleet (with churn: as if all were present throughout).
  double slots = 0.0;
  for (const auto& w : fleet) slots += configured_slots(w, variant->config);
  out.busy_slot_s = busy_s;
  out.deferrals = core.stats_summary().deferrals;
  if (out.makespan_s > 0 && slots > 0) out.utilization = busy_s / (slots * out.makespan_s);
  if (with_model > 0) out.affinity_hit_rate = static_cast<double>(warm_hits) / static_cast<double>(with_model);
  // The placements counted as warm-up at the start of a series of n.
  const auto warmup = [&](std::size_t n) {
    return static_cast<std::size_t>(std::ceil(options.warmup_fraction * static_cast<double>(n)));
  };
  if (!errors.empty()) {
    double all = 0.0, late = 0.0;
    const auto skip = warmup(errors.size());
    for (std::size_t i = 0; i < errors.size(); ++i) {
      all += errors[i];
      if (i >= skip) late += errors[i];
    }
    out.predictor_mape = all / static_cast<double>(errors.size());
    out.predictor_mape_after_warmup = errors.size() > skip ? late / static_cast<double>(errors.size() - skip) : out.predictor_mape;
  }
  // Calibration after warm-up: the share of runs at or under their p90.
  if (const auto skip = warmup(within_p90.size()); within_p90.size() > skip) {
    const auto covered = std::count(within_p90.begin() + static_cast<std::ptrdiff_t>(skip), within_p90.end(), true);
    out.p90_calibration = static_cast<double>(covered) / static_cast<double>(within_p90.size() - skip);
  }
  // How well the predictions rank the run times, after warm-up.
  if (const auto skip = warmup(predicted_s.size()); predicted_s.size() > skip)
    out.prediction_rank_correlation =
        spearman_correlation(std::span<const double>(predicted_s).subspan(skip),
                             std::span<const double>(measured_run_s).subspan(skip));
  out.scheduler_total_s = in_schedule_s;
  if (placements > 0) out.scheduler_us_per_decision = out.scheduler_total_s * 1e6 / static_cast<double>(placements);
  if (options.compute_lower_bound) {
    const auto instance = make_lower_bound_instance(tasks, fleet, variant->config);
    out.lower_bound = compute_lower_bound(instance, options.lower_bound);
    if (out.lower_bound.value_s > 0) out.makespan_over_lower_bound = out.makespan_s / out.lower_bound.value_s;
  }
  return out;
}

} // namespace dtf
