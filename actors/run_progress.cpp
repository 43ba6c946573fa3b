#include "actors/run_progress.hpp"
#include "scheduler/model/attempt_record.hpp"

#include <algorithm>

namespace dtf {

run_progress::run_progress(std::size_t parallel_slots)
  : parallel_slots_(std::max<std::size_t>(parallel_slots, 1)), started_at_(std::chrono::steady_clock::now()) {}

const std::string& run_progress::entry::reason() const {
  static const std::string none;
  return detail ? detail->reason : none;
}

bool run_progress::attempt_detail::decided_over_by(const attempt_record& report) const {
  if (!reported) return true;
  attempt_record kept;
  kept.attempt = attempt;
  kept.status = status;
  kept.start_unix_s = start_unix_s;
  kept.end_unix_s = end_unix_s;
  return decides_over(report, kept);
}

void run_progress::attempt_detail::keep(const attempt_record& report) {
  duration_s = report.measured_s();
  wall_s = report.duration_s;
  modeled_s = report.modeled_s;
  stderr_tail = report.stderr_tail;
  exit_code = report.exit_code;
  error = report.error;
  reported = true;
  attempt = report.attempt;
  status = report.status;
  start_unix_s = report.start_unix_s;
  end_unix_s = report.end_unix_s;
}

std::uint32_t run_progress::worker_key(const std::string& worker_id) {
  auto [it, inserted] = worker_index_.emplace(worker_id, static_cast<std::uint32_t>(workers_.size()));
  if (inserted) workers_.push_back(worker_id);
  return it->second;
}

/// Adds (sign 1) or takes away (sign -1) one entry's part of the totals.
void run_progress::count(std::size_t index, int sign) {
  const auto& e = entries_[index];
  const auto& s = e;
  const auto step = [sign](std::size_t& n) { n = sign > 0 ? n + 1 : n - 1; };
  if (e.predicted_s > 0) {
    step(totals_.predicted_n);
    totals_.predicted_sum += sign * e.predicted_s;
  }
  if (s.final) {
    if (s.succeeded()) step(totals_.succeeded);
    else if (!s.unplaceable && !s.rejected && s.status == task_status::cancelled) step(totals_.cancelled);
    else step(totals_.failed);
  } else if (e.on_worker) {
    if (sign > 0) running_.insert(index);
    else running_.erase(index);
  } else {
    step(totals_.pending);
    if (e.predicted_s > 0) totals_.pending_predicted_sum += sign * e.predicted_s;
    else step(totals_.pending_unpredicted);
  }
}

std::optional<finished_task> run_progress::on_update(const task_update& u) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = index_.find(u.task_id);
  const bool inserted = it == index_.end();
  if (inserted) {
    entries_.emplace_back().task_id = u.task_id;
    it = index_.emplace(entries_.back().task_id, entries_.size() - 1).first;
  } else if (u.kind != task_event_kind::rejected && entries_[it->second].final) {
    // Late attempt reports (a backup race's losing copy) change no line shown,
    // and the summary only where the task ended without a report of its own.
    auto& e = entries_[it->second];
    if (u.report && e.ended_unreported) {
      count(it->second, -1);
      take_late_report(e, *u.report);
      count(it->second, 1);
    }
    return std::nullopt;
  }
  if (u.kind == task_event_kind::rejected && !inserted) {
    // A duplicate of a known id: keep the original, remember the rejection separately.
    auto dup_id = u.task_id + " (duplicate)";
    if (index_.count(dup_id)) return std::nullopt;
    auto& ds = entries_.emplace_back();
    ds.task_id = dup_id;
    index_.emplace(ds.task_id, entries_.size() - 1);
    ds.final = ds.rejected = true;
    ds.status = task_status::failed;
    ds.details().reason = u.reason;
    count(entries_.size() - 1, 1);
    return finished_task{dup_id, "", task_status::failed, 0, 0.0, "rejected: " + u.reason};
  }
  const auto index = it->second;
  if (!inserted) count(index, -1);
  auto finished = apply(entries_[index], u);
  count(index, 1);
  return finished;
}

std::optional<finished_task> run_progress::apply(entry& e, const task_update& u) {
  auto& s = e;
  s.last_kind = u.kind;
  s.status = u.status;
  if (!u.worker_id.empty()) s.worker = worker_key(u.worker_id);
  s.attempts = std::max(s.attempts, u.attempt);
  // The finished update's report is the attempt that ended the task; one
  // reported before it counts where it decides over the one kept (a copy
  // lost or cancelled after its racing copy failed does not).
  if (u.report && (u.kind == task_event_kind::finished || !s.detail || s.detail->decided_over_by(*u.report)))
    s.details().keep(*u.report);
  switch (u.kind) {
    case task_event_kind::assigned:
      e.on_worker = true;
      e.predicted_s = u.predicted_duration_s;
      e.assigned_at = std::chrono::steady_clock::now();
      break;
    case task_event_kind::accepted:
    case task_event_kind::retrying:
      e.on_worker = false;
      break;
    case task_event_kind::finished:
    case task_event_kind::unplaceable:
    case task_event_kind::rejected: {
      s.final = true;
      e.on_worker = false;
      s.unplaceable = u.kind == task_event_kind::unplaceable;
      s.rejected = u.kind == task_event_kind::rejected;
      e.ended_unreported = u.kind == task_event_kind::finished && !u.report;
      // Why the task ended: its own report's error, else the update's note (a
      // cancelled task's is not the error of an attempt before the cancel).
      std::string why = u.report && !u.report->error.empty() ? u.report->error : u.reason;
      if (why.empty() && !u.report && u.kind == task_event_kind::finished) why = to_string(u.status);
      if (s.succeeded()) why.clear();  // an earlier attempt's failure is not the task's
      if (!why.empty() || s.detail) s.details().reason = std::move(why);
      finished_task f;
      f.task_id = s.task_id;
      if (s.worker != no_worker) f.worker_id = workers_[s.worker];
      f.status = s.unplaceable || s.rejected ? task_status::failed : s.status;
      f.attempt = std::max(s.attempts, 1);
      if (s.detail) {
        f.duration_s = s.detail->wall_s;
        f.modeled_s = s.detail->modeled_s;
      }
      if (!s.succeeded()) f.error = s.unplaceable ? "unplaceable: " + s.reason() : s.reason();
      return f;
    }
    default:
      break;
  }
  return std::nullopt;
}

/// A report after the finished update of a task that ended without one
/// (cancelled or stopped while its copies ran): it becomes the task's attempt
/// where decides_over picks it, as in JUnit. A success there did the task's
/// work before the cancel reached it: the task succeeded, as JUnit passes it
/// (and as a stopping run decides when it waits for the report). Any other
/// leaves the task ended as it was, the attempt's error beside its stderr.
void run_progress::take_late_report(entry& e, const attempt_record& report) {
  if (e.detail && !e.detail->decided_over_by(report)) return;
  auto& d = e.details();
  d.keep(report);
  if (!report.worker_id.empty()) e.worker = worker_key(report.worker_id);
  if (report.status != task_status::succeeded) return;
  e.status = task_status::succeeded;
  d.reason.clear();
}

void run_progress::expect(std::size_t tasks) {
  std::lock_guard<std::mutex> guard{mutex_};
  expected_tasks_ += tasks;
}

progress_snapshot run_progress::snapshot() const {
  std::lock_guard<std::mutex> guard{mutex_};
  progress_snapshot p;
  p.parallel_slots = parallel_slots_;
  const auto now = std::chrono::steady_clock::now();
  p.elapsed_s = std::chrono::duration<double>(now - started_at_).count();
  p.total = std::max(expected_tasks_, entries_.size());
  p.succeeded = totals_.succeeded;
  p.cancelled = totals_.cancelled;
  p.failed = totals_.failed;
  p.running = running_.size();
  p.pending = totals_.pending;
  if (totals_.predicted_n == 0) return p;
  const double mean_predicted = totals_.predicted_sum / static_cast<double>(totals_.predicted_n);
  double remaining = std::max(0.0, totals_.pending_predicted_sum) +
                     static_cast<double>(totals_.pending_unpredicted) * mean_predicted;
  for (std::size_t index : running_) {
    const auto& e = entries_[index];
    const double ran = std::chrono::duration<double>(now - e.assigned_at).count();
    remaining += std::max(0.0, e.predicted_s - ran);
  }
  p.remaining_work_s = remaining;
  return p;
}

std::vector<task_summary> run_progress::tasks() const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<task_summary> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(summary_of(e));
  return out;
}

task_summary run_progress::summary_of(const entry& e) const {
  task_summary s;
  s.task_id = e.task_id;
  s.last_kind = e.last_kind;
  s.status = e.status;
  if (e.worker != no_worker) s.worker_id = workers_[e.worker];
  s.attempts = e.attempts;
  if (e.detail) {
    s.duration_s = e.detail->duration_s;
    s.wall_s = e.detail->wall_s;
    s.modeled_s = e.detail->modeled_s;
    s.stderr_tail = e.detail->stderr_tail;
    s.exit_code = e.detail->exit_code;
    s.attempt_error = e.detail->error;
    s.reason = e.detail->reason;
  }
  s.final = e.final;
  s.unplaceable = e.unplaceable;
  s.rejected = e.rejected;
  return s;
}

} // namespace dtf
