#include "actors/output/results_jsonl_writer.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace dtf {
namespace {

double finite_or_zero(double value) { return std::isfinite(value) ? value : 0.0; }

} // namespace

results_jsonl_writer::results_jsonl_writer(const std::filesystem::path& path, bool append) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | (append ? 0 : O_TRUNC), 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open results file '" + path.string() + "': " + std::generic_category().message(errno));
}

results_jsonl_writer::~results_jsonl_writer() {
  if (fd_ >= 0) ::close(fd_);
}

std::string results_jsonl_writer::to_json_line(const attempt_record& record) {
  nlohmann::ordered_json line;
  line["task"] = record.task_id;
  line["worker"] = record.worker_id;
  line["status"] = std::string(to_string(record.status));
  line["exit_code"] = record.exit_code;
  if (record.term_signal != 0) line["term_signal"] = record.term_signal;
  line["attempt"] = record.attempt;
  line["start"] = finite_or_zero(record.start_unix_s);
  line["end"] = finite_or_zero(record.end_unix_s);
  line["duration_s"] = finite_or_zero(record.duration_s);
  if (record.modeled_s) line["modeled_s"] = finite_or_zero(*record.modeled_s);
  if (record.predicted_s && std::isfinite(*record.predicted_s)) {
    line["predicted_s"] = *record.predicted_s;
    if (record.predicted_from_known) line["predicted_from"] = record.predicted_from_history ? "history" : "default";
  } else {
    line["predicted_s"] = nullptr;
  }
  if (record.worker_slots > 0) line["worker_slots"] = record.worker_slots;
  auto metrics = nlohmann::ordered_json::object();
  for (const auto& [name, value] : record.metrics)
    if (std::isfinite(value)) metrics[name] = value;
  line["metrics"] = std::move(metrics);
  line["model"] = record.model;
  line["type"] = std::string(to_string(record.type));
  line["batch_size"] = record.batch_size;
  if (!record.error.empty()) line["error"] = record.error;
  // Task ids and errors come from users and commands: invalid UTF-8 is replaced, not thrown.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void results_jsonl_writer::write(const attempt_record& record) {
  auto text = to_json_line(record) + "\n";
  std::lock_guard lock{mutex_};
  // O_APPEND and one write per line: lines never interleave, and each is in the
  // kernel as soon as this returns.
  std::string_view rest = text;
  while (!rest.empty()) {
    auto n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error("cannot write results file '" + path_.string() + "': " +
                               std::generic_category().message(errno));
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

} // namespace dtf
