#include "actors/run_progress.hpp"

#include <algorithm>

namespace dtf {

run_progress::run_progress(std::size_t parallel_slots)
  : parallel_slots_(std::max<std::size_t>(parallel_slots, 1)), started_at_(std::chrono::steady_clock::now()) {}

std::optional<finished_task> run_progress::on_update(const task_update& u) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto [it, inserted] = index_.emplace(u.task_id, entries_.size());
  if (inserted) {
    entries_.emplace_back();
    entries_.back().summary.task_id = u.task_id;
  }
  auto& e = entries_[it->second];
  auto& s = e.summary;
  if (s.final && u.kind != task_event_kind::rejected) return std::nullopt;  // late attempt reports
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
    return finished_task{dup_id, "", task_status::failed, 0, 0.0, "rejected: " + u.reason};
  }
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
  double remaining = 0.0, predicted_sum = 0.0;
  std::size_t predicted_n = 0;
  for (const auto& e : entries_) {
    if (e.predicted_s > 0) {
      predicted_sum += e.predicted_s;
      ++predicted_n;
    }
  }
  const double mean_predicted = predicted_n ? predicted_sum / static_cast<double>(predicted_n) : 0.0;
  for (const auto& e : entries_) {
    const auto& s = e.summary;
    ++p.total;
    if (s.final) {
      if (s.succeeded()) ++p.succeeded;
      else if (!s.unplaceable && !s.rejected && s.status == task_status::cancelled) ++p.cancelled;
      else ++p.failed;
    } else if (e.on_worker) {
      ++p.running;
      const double ran = std::chrono::duration<double>(now - e.assigned_at).count();
      remaining += std::max(0.0, e.predicted_s - ran);
    } else {
      ++p.pending;
      remaining += e.predicted_s > 0 ? e.predicted_s : mean_predicted;
    }
  }
  if (predicted_n > 0) p.remaining_work_s = remaining;
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
