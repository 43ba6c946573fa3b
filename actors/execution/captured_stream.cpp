#include "actors/execution/captured_stream.hpp"
#include "actors/execution/metrics_line.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace dtf {
namespace {

// A metrics line longer than this is not a metrics line; keeps memory bounded
// when a command prints megabytes without a newline.
constexpr std::size_t max_metrics_line_bytes = 64 * 1024;

void write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // disk full or similar: the capture is best effort, the run goes on
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

} // namespace

captured_stream::~captured_stream() {
  if (fd_ >= 0) ::close(fd_);
}

std::string captured_stream::open(const std::filesystem::path& path) {
  // Never through a symbolic link: a link planted at an output path would
  // make dtf overwrite its target.
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0 && errno == ELOOP)
    return "refusing to write '" + path.string() + "': it is a symbolic link (output files are never followed)";
  if (fd_ < 0) return "cannot create '" + path.string() + "': " + std::generic_category().message(errno);
  return {};
}

void captured_stream::consume(std::string_view data) {
  bytes_seen_ += data.size();
  write_to_file(data);
  if (opts_.tail_bytes > 0) {
    tail_.append(data.size() > opts_.tail_bytes ? data.substr(data.size() - opts_.tail_bytes) : data);
    if (tail_.size() > 2 * opts_.tail_bytes) tail_.erase(0, tail_.size() - opts_.tail_bytes);
  }
  if (opts_.scan_metrics) scan_lines(data);
}

void captured_stream::finish() {
  if (opts_.scan_metrics && !partial_line_overflowed_ && !partial_line_.empty()) read_metrics_line(partial_line_);
  partial_line_.clear();
  if (dropped_metric_keys_ > 0) metrics_["dtf_metrics_dropped_keys"] = static_cast<double>(dropped_metric_keys_);
  if (dropped_metrics_bytes_ > 0) metrics_["dtf_metrics_dropped_bytes"] = static_cast<double>(dropped_metrics_bytes_);
  if (tail_.size() > opts_.tail_bytes) tail_.erase(0, tail_.size() - opts_.tail_bytes);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void captured_stream::write_to_file(std::string_view data) {
  if (fd_ < 0 || truncated_) return;
  auto room = opts_.cap_bytes - bytes_written_;
  if (data.size() <= room) {
    write_fully(fd_, data);
    bytes_written_ += data.size();
    return;
  }
  write_fully(fd_, data.substr(0, room));
  bytes_written_ += room;
  truncated_ = true;
  write_fully(fd_, "\n[dtf: output truncated at " + std::to_string(opts_.cap_bytes) + " bytes]\n");
}

void captured_stream::scan_lines(std::string_view data) {
  while (!data.empty()) {
    auto newline = data.find('\n');
    auto piece = data.substr(0, newline);
    if (!partial_line_overflowed_) {
      if (partial_line_.size() + piece.size() > max_metrics_line_bytes) {
        partial_line_overflowed_ = true;
        overflowed_line_is_metrics_ = is_metrics_line(partial_line_ + std::string(piece.substr(0, 64)));
        if (overflowed_line_is_metrics_) dropped_metrics_bytes_ += partial_line_.size() + piece.size();
        partial_line_.clear();
      } else {
        partial_line_.append(piece);
      }
    } else if (overflowed_line_is_metrics_) {
      dropped_metrics_bytes_ += piece.size();
    }
    if (newline == std::string_view::npos) return;
    if (!partial_line_overflowed_) read_metrics_line(partial_line_);
    partial_line_.clear();
    partial_line_overflowed_ = false;
    data.remove_prefix(newline + 1);
  }
}

void captured_stream::read_metrics_line(std::string_view line) {
  if (!is_metrics_line(line)) return;
  if (metrics_bytes_ + line.size() > max_metrics_bytes_per_attempt) {
    dropped_metrics_bytes_ += line.size();
    return;
  }
  metrics_bytes_ += line.size();
  parse_metrics_line(line, metrics_, max_metric_keys_per_attempt, &dropped_metric_keys_);
}

} // namespace dtf
