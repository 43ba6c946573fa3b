#pragma once
// Reads back a results JSON Lines file (results_jsonl_writer's format): one
// attempt_record per non-blank line, for reports built after the run.
#include "scheduler/model/attempt_record.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace dtf {

/// Throws input_error naming file, line and field for anything that is not a
/// record results_jsonl_writer writes (missing task/status, wrong types).
std::vector<attempt_record> read_results_jsonl(const std::filesystem::path& path);

/// One line; `file` and `line` only name the place in errors.
attempt_record parse_results_json_line(std::string_view text, const std::string& file, int line);

} // namespace dtf
