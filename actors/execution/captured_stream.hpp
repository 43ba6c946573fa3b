#pragma once
// One captured output stream of a command: written to a file up to a cap,
// counted, its tail kept for messages, and (stdout) scanned for metric lines.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace dtf {

class captured_stream {
public:
  struct options {
    std::size_t cap_bytes = 1 << 20;
    std::size_t tail_bytes = 2048;
    bool scan_metrics = false;
  };

  explicit captured_stream(options opts) : opts_(opts) {}
  ~captured_stream();
  captured_stream(const captured_stream&) = delete;
  captured_stream& operator=(const captured_stream&) = delete;

  /// Creates (truncates) the file; returns an error message or "" on success.
  std::string open(const std::filesystem::path& path);
  void consume(std::string_view data);
  /// Handles a last line without a newline and closes the file.
  void finish();

  std::size_t bytes_seen() const { return bytes_seen_; }
  bool truncated() const { return truncated_; }
  /// The last tail_bytes of everything seen (not only what fit under the cap).
  const std::string& tail() const { return tail_; }
  /// Within the per-attempt caps of metrics_line.hpp; after finish() it also
  /// holds dtf_metrics_dropped_keys / _bytes when something went past them.
  const std::map<std::string, double>& metrics() const { return metrics_; }

private:
  void write_to_file(std::string_view data);
  void scan_lines(std::string_view data);
  void read_metrics_line(std::string_view line);

  options opts_;
  int fd_ = -1;
  std::size_t bytes_seen_ = 0, bytes_written_ = 0;
  bool truncated_ = false;
  std::string tail_;
  std::string partial_line_;
  bool partial_line_overflowed_ = false;
  bool overflowed_line_is_metrics_ = false;
  std::map<std::string, double> metrics_;
  std::size_t metrics_bytes_ = 0, dropped_metrics_bytes_ = 0, dropped_metric_keys_ = 0;
};

} // namespace dtf
