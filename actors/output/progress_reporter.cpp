#include "actors/output/progress_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace dtf {
namespace {

std::string duration_text(double seconds) {
  char buffer[48];
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  } else if (seconds < 3600) {
    auto whole = static_cast<long long>(std::llround(seconds));
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    auto minutes = static_cast<long long>(std::llround(std::min(seconds, 1e9) / 60));
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", minutes / 60, minutes % 60);
  }
  return buffer;
}

std::size_t finished_count(const progress_snapshot& s) { return s.succeeded + s.failed + s.cancelled; }

std::string_view outcome_word(task_status status) {
  switch (status) {
    case task_status::succeeded: return "ok";
    case task_status::timed_out: return "TIMEOUT";
    case task_status::cancelled: return "CANCELLED";
    case task_status::lost: return "LOST";
    default: return "FAILED";
  }
}

} // namespace

std::optional<double> estimate_eta_s(const progress_snapshot& snapshot) {
  if (!snapshot.remaining_work_s || !std::isfinite(*snapshot.remaining_work_s)) return std::nullopt;
  double slots = static_cast<double>(std::max<std::size_t>(snapshot.parallel_slots, 1));
  // Fewer tasks than slots cannot use them all.
  slots = std::min(slots, static_cast<double>(std::max<std::size_t>(snapshot.running + snapshot.pending, 1)));
  return std::max(0.0, *snapshot.remaining_work_s) / slots;
}

std::string format_progress_line(const progress_snapshot& s) {
  std::string line = std::to_string(finished_count(s)) + "/" + std::to_string(s.total) + " done";
  if (s.failed > 0) line += " (" + std::to_string(s.failed) + " failed)";
  line += ", " + std::to_string(s.running) + " running, " + std::to_string(s.pending) + " pending";
  line += ", elapsed " + duration_text(s.elapsed_s);
  if (auto eta = estimate_eta_s(s)) line += ", ETA " + duration_text(*eta);
  return line;
}

std::string format_finished_line(const finished_task& task, const progress_snapshot& s) {
  std::string line = "[" + std::to_string(finished_count(s)) + "/" + std::to_string(s.total) + "] ";
  std::string word{outcome_word(task.status)};
  word.resize(std::max<std::size_t>(word.size(), 9), ' ');
  line += word + " " + task.task_id;
  if (!task.worker_id.empty()) line += " on " + task.worker_id;
  if (task.attempt > 1) line += " (attempt " + std::to_string(task.attempt) + ")";
  line += " in " + duration_text(task.duration_s);
  if (task.modeled_s) line += " (modeled " + duration_text(*task.modeled_s) + ")";
  if (task.status != task_status::succeeded && !task.error.empty()) line += ": " + task.error;
  // One line per task, whatever the error text holds.
  for (auto& c : line)
    if (c == '\n' || c == '\r' || c == '\x1b') c = ' ';
  return line;
}

progress_reporter::progress_reporter(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}

bool progress_reporter::stream_is_terminal(std::FILE* out) { return ::isatty(::fileno(out)) == 1; }

void progress_reporter::draw_status_line(const progress_snapshot& snapshot) {
  // \r and "erase to end of line": the line is rewritten in place.
  std::fprintf(out_, "\r\x1b[K%s", format_progress_line(snapshot).c_str());
  std::fflush(out_);
}

void progress_reporter::update(const progress_snapshot& snapshot) {
  if (!interactive_) return;
  std::lock_guard lock{mutex_};
  draw_status_line(snapshot);
}

void progress_reporter::task_finished(const finished_task& task, const progress_snapshot& snapshot) {
  std::lock_guard lock{mutex_};
  auto line = format_finished_line(task, snapshot);
  if (!interactive_) {
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    return;
  }
  if (task.status != task_status::succeeded) std::fprintf(out_, "\r\x1b[K%s\n", line.c_str());
  draw_status_line(snapshot);
}

void progress_reporter::finish(const progress_snapshot& snapshot) {
  std::lock_guard lock{mutex_};
  if (!interactive_) return;
  draw_status_line(snapshot);
  std::fputc('\n', out_);
  std::fflush(out_);
}

} // namespace dtf
