#include "actors/run_progress.hpp"

#include <algorithm>

namespace dtf {

run_progress::run_progress(std::size_t parallel_slots)
  : parallel_slots_(std::max<std::size_t>(parallel_slots, 1)), started_at_(std::chrono::steady_clock::now()) {}

/// Adds (sign 1) or takes away (sign -1) one entry's part of the totals.
void run_progress::count(std::size_t index, int sign) {
  const auto& e = entries_[index];
  const auto& s = e.summary;
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
  auto [it, inserted] = index_.emplace(u.task_id, entries_.size());
  if (inserted) {
    entries_.emplace_back();
    entries_.back().summary.task_id = u.task_id;
  } else if (u.kind != task_event_kind::rejected) {
    if (entries_[it->second].summary.final) return std::nullopt;  // late attempt reports
  }
  if (u.kind == task_event_kind::rejected && !inserted) {
    // A duplicate of a known id: keep the original, remember the rejection separately.
    auto dup_id = u.task_id + " (duplicate)";
    auto [d, fresh] = index_.emplace(dup_id, entries_.size());
    if (!fresh) return std::nullopt;
    entries_.emplace_back();
    auto& ds = entries_.back().summary;
    ds.task_id = dup_id;
    ds.final = ds.rejected = true;
    ds.status = task_status::failed;
    ds.reason = u.reason;
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
  auto& s = e.summary;
  s.last_kind = u.kind;
  s.status = u.status;
  if (!u.worker_id.empty()) s.worker_id = u.worker_id;
  s.attempts = std::max(s.attempts, u.attempt);
  if (u.report) {
    const auto& r = *u.report;
    s.duration_s = r.result.duration_s;
    s.wall_s = r.started_at_s > 0 ? std::max(0.0, r.finished_at_s - r.started_at_s) : r.result.duration_s;
    s.modeled_s = r.emulated ? std::optional<double>{r.result.duration_s} : std::nullopt;
    s.stderr_tail = r.stderr_tail;
    s.exit_code = r.result.exit_code;
    if (!u.report->error.empty()) s.reason = u.report->error;
  }
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
      if (!u.reason.empty() && (s.unplaceable || s.rejected || s.reason.empty())) s.reason = u.reason;
      finished_task f;
      f.task_id = s.task_id;
      f.worker_id = s.worker_id;
      f.status = s.unplaceable || s.rejected ? task_status::failed : s.status;
      f.attempt = std::max(s.attempts, 1);
      f.duration_s = s.duration_s;
      if (!s.succeeded()) f.error = s.unplaceable ? "unplaceable: " + s.reason : s.reason;
      return f;
    }
    default:
      break;
  }
  return std::nullopt;
}

progress_snapshot run_progress::snapshot() const {
  std::lock_guard<std::mutex> guard{mutex_};
  progress_snapshot p;
  p.parallel_slots = parallel_slots_;
  const auto now = std::chrono::steady_clock::now();
  p.elapsed_s = std::chrono::duration<double>(now - started_at_).count();
  p.total = entries_.size();
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
  for (const auto& e : entries_) out.push_back(e.summary);
  return out;
}

} // namespace dtf
