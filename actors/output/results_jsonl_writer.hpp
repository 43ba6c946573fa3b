#pragma once
// Results as JSON Lines: one object per attempt, written with one write(2) per
// line straight to the file, so a crash loses nothing already reported.
#include "scheduler/model/attempt_record.hpp"

#include <filesystem>
#include <mutex>
#include <string>

namespace dtf {

class results_jsonl_writer {
public:
  /// Creates (or truncates; append = true keeps) the file. Throws std::runtime_error
  /// naming the path when it cannot be opened.
  explicit results_jsonl_writer(const std::filesystem::path& path, bool append = false);
  ~results_jsonl_writer();
  results_jsonl_writer(const results_jsonl_writer&) = delete;
  results_jsonl_writer& operator=(const results_jsonl_writer&) = delete;

  /// Thread-safe. Throws std::runtime_error when the line cannot be written.
  void write(const attempt_record& record);

  /// {"task","worker","status","exit_code","attempt","start","end","duration_s",
  ///  "predicted_s" (null if none),"metrics",...} without the newline. Non-finite
  /// times become 0, a non-finite prediction null, non-finite metrics are dropped.
  static std::string to_json_line(const attempt_record& record);

private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::mutex mutex_;
};

} // namespace dtf
