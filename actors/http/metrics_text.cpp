#include "actors/http/metrics_text.hpp"

#include "scheduler/core/slot_utilization.hpp"

#include <charconv>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

namespace dtf {

namespace {

class exposition {
public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, double value) { sample(name, {}, value); }

  /// A family of one unlabelled sample.
  void single(std::string_view name, std::string_view type, std::string_view help, double value) {
    family(name, type, help);
    sample(name, value);
  }

  void sample(std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              double value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [key, text] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += key;
        out_ += "=\"";
        escape(text);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    number(value);
    out_ += '\n';
  }

  std::string take() { return std::move(out_); }
  void reserve(std::size_t n) { out_.reserve(n); }

private:
  void escape(std::string_view text) {
    for (char c : text) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '"') out_ += "\\\"";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
  }

  void number(double v) {
    if (std::isnan(v)) {
      out_ += "NaN";
      return;
    }
    if (std::isinf(v)) {
      out_ += v > 0 ? "+Inf" : "-Inf";
      return;
    }
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    out_.append(buffer, ec == std::errc{} ? end : buffer);
  }

  std::string out_;
};

std::string bound_text(double bound) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, bound);
  return std::string(buffer, ec == std::errc{} ? end : buffer);
}

void run_families(exposition& x, const coordinator_view& run) {
  const auto& c = run.counts;
  x.single("dtf_run_finished", "gauge", "1 once every submitted task is final, else 0.",
           run.all_final ? 1 : 0);
  x.single("dtf_run_elapsed_seconds", "gauge", "Wall seconds since the coordinator started.",
           c.elapsed_s);
  x.family("dtf_tasks", "gauge", "Tasks by state (pending ones wait for a slot; final states count each task once).");
  const std::pair<std::string_view, std::uint64_t> states[] = {
      {"pending", c.pending},     {"assigned", c.assigned},   {"running", c.running},
      {"succeeded", c.succeeded}, {"failed", c.failed},       {"timed_out", c.timed_out},
      {"cancelled", c.cancelled}, {"unplaceable", c.unplaceable}, {"rejected", c.rejected}};
  for (const auto& [state, n] : states) x.sample("dtf_tasks", {{"state", state}}, static_cast<double>(n));
  x.single("dtf_tasks_submitted_total", "counter", "Tasks submitted (rejected duplicates included).",
           static_cast<double>(c.submitted));
  x.single("dtf_attempts_total", "counter", "Attempts started (retries and backups included).",
           static_cast<double>(c.attempts));
  x.single("dtf_retries_total", "counter", "Retries after a failed or timed-out attempt.",
           static_cast<double>(c.retries));
  x.single("dtf_queue_length", "gauge", "Pending tasks: accepted and not on a worker.",
           static_cast<double>(run.queued));
  x.single("dtf_backlog_length", "gauge", "Pending tasks not yet handed to the scheduler (back-pressure window full).",
           static_cast<double>(run.backlog));
  x.family("dtf_workers", "gauge", "Workers registered and lost.");
  x.sample("dtf_workers", {{"state", "registered"}}, static_cast<double>(c.workers_registered));
  x.sample("dtf_workers", {{"state", "lost"}}, static_cast<double>(c.workers_lost));
  x.single("dtf_backup_losers_total", "counter", "Attempts that lost a backup race and were cancelled.",
           static_cast<double>(run.backup_losers));
  x.single("dtf_backup_wasted_slot_seconds_total", "counter", "Wall slot-seconds held by attempts that lost a backup race.",
           run.wasted_slot_s);

  struct worker_family {
    std::string_view name, type, help;
  };
  const worker_family families[] = {
      {"dtf_worker_up", "gauge", "1 while the worker is registered and alive."},
      {"dtf_worker_slots", "gauge", "Concurrent attempts the worker takes."},
      {"dtf_worker_running", "gauge", "Attempts running on the worker now."},
      {"dtf_worker_busy_fraction", "gauge", "Running attempts over slots, now (0 to 1)."},
      {"dtf_worker_utilization", "gauge", "Busy wall slot-seconds over (wall seconds x slots) since the start (0 to 1)."},
      {"dtf_worker_busy_seconds_total", "counter", "Wall slot-seconds the worker's attempts held (running ones so far)."},
      {"dtf_worker_attempts_total", "counter", "Attempts the worker reported."},
  };
  for (std::size_t f = 0; f < std::size(families); ++f) {
    x.family(families[f].name, families[f].type, families[f].help);
    for (const auto& w : run.workers) {
      double v = 0;
      switch (f) {
        case 0: v = w.alive ? 1 : 0; break;
        case 1: v = w.slots; break;
        case 2: v = w.running; break;
        case 3: v = w.slots > 0 ? std::min(1.0, static_cast<double>(w.running) / w.slots) : 0.0; break;
        case 4: v = slot_utilization(w.busy_s, c.elapsed_s, w.slots); break;
        case 5: v = w.busy_s; break;
        default: v = static_cast<double>(w.completed); break;
      }
      x.sample(families[f].name, {{"worker", w.id}, {"kind", w.kind}}, v);
    }
  }
  // Device metrics only where a probe knows them (emulated workers have none).
  auto optional_family = [&](std::string_view name, std::string_view help, auto get) {
    bool any = false;
    for (const auto& w : run.workers) any = any || get(w).has_value();
    if (!any) return;
    x.family(name, "gauge", help);
    for (const auto& w : run.workers)
      if (auto v = get(w)) x.sample(name, {{"worker", w.id}, {"kind", w.kind}}, static_cast<double>(*v));
  };
  optional_family("dtf_worker_device_utilization", "Device utilization last sampled (0 to 1).",
                  [](const observed_worker& w) { return w.metrics.utilization; });
  optional_family("dtf_worker_temperature_celsius", "Device temperature last sampled.",
                  [](const observed_worker& w) { return w.metrics.temperature_c; });
  optional_family("dtf_worker_power_watts", "Device power draw last sampled.",
                  [](const observed_worker& w) { return w.metrics.power_w; });
  optional_family("dtf_worker_memory_used_bytes", "Device memory in use last sampled.",
                  [](const observed_worker& w) { return w.metrics.memory_used_bytes; });
}

void scheduler_families(exposition& x, const scheduler_view_data& sched) {
  const auto& s = sched.stats;
  x.single("dtf_scheduler_placements_total", "counter", "Placement decisions (tasks put on a worker).",
           static_cast<double>(s.decisions));
  x.single("dtf_scheduler_deferrals_total", "counter", "Times a task was held back for a busy, faster worker.",
           static_cast<double>(s.deferrals));
  x.single("dtf_scheduler_backups_started_total", "counter", "Backup attempts started for overdue tasks.",
           static_cast<double>(s.backups_started));
  x.single("dtf_scheduler_backups_won_total", "counter", "Backup attempts that finished first.",
           static_cast<double>(s.backups_won));
  x.single("dtf_scheduler_probes_started_total", "counter",
           "Probes of devices a waiting task's model never ran on (cut off past 3x its best time).",
           static_cast<double>(s.probes_started));
  x.single("dtf_scheduler_probes_cut_total", "counter", "Probes cut off, their tasks queued again.",
           static_cast<double>(s.probes_cut));
  x.single("dtf_scheduler_affinity_hit_ratio", "gauge", "Placements whose model was warm on the chosen worker, over placements naming a model.",
           s.affinity.hit_rate);
  const auto& h = sched.round_latency;
  x.family("dtf_scheduler_round_duration_seconds", "histogram", "Wall seconds of each scheduling round (one call of the core's schedule()).");
  for (std::size_t i = 0; i < latency_histogram::bounds.size(); ++i)
    x.sample("dtf_scheduler_round_duration_seconds_bucket", {{"le", bound_text(latency_histogram::bounds[i])}},
             static_cast<double>(h.cumulative(i)));
  x.sample("dtf_scheduler_round_duration_seconds_bucket", {{"le", "+Inf"}}, static_cast<double>(h.count()));
  x.sample("dtf_scheduler_round_duration_seconds_sum", h.sum());
  x.sample("dtf_scheduler_round_duration_seconds_count", static_cast<double>(h.count()));
  const auto& p = s.predictions;
  x.family("dtf_predictions_total", "counter",
           "Successful attempts by where their prediction came from (history: compared; default: not).");
  x.sample("dtf_predictions_total", {{"source", "history"}}, static_cast<double>(p.from_history));
  x.sample("dtf_predictions_total", {{"source", "default"}}, static_cast<double>(p.defaults));
  x.single("dtf_prediction_mape_ratio", "gauge", "Mean |predicted - actual| / actual over predictions from history (fraction).",
           p.mape);
  x.single("dtf_prediction_median_abs_log_ratio", "gauge", "Median |ln(predicted / actual)| over predictions from history (0.1: about 10 % off).",
           p.median_abs_log_ratio);
  x.single("dtf_prediction_mean_abs_error_seconds", "gauge", "Mean |predicted - actual| in seconds over predictions from history.",
           p.mean_abs_error_s);
}

} // namespace

std::string metrics_text(const coordinator_view* run, const scheduler_view_data* scheduler) {
  exposition x;
  x.reserve(256 + (run ? run->workers.size() * 900 : 0));
  if (run) run_families(x, *run);
  if (scheduler) scheduler_families(x, *scheduler);
  if (run || scheduler) {
    x.family("dtf_observation_publish_seconds_total", "counter",
             "Wall seconds the actors spent building the views this server shows (its cost to the run).");
    if (run) x.sample("dtf_observation_publish_seconds_total", {{"actor", "coordinator"}}, run->publish_s);
    if (scheduler) x.sample("dtf_observation_publish_seconds_total", {{"actor", "scheduler"}}, scheduler->publish_s);
  }
  return x.take();
}

} // namespace dtf
