#pragma once
// Strict JSON parsing (nlohmann) whose every failure is a dtf::input_error
// naming the file, the line and the field being read: syntax errors, numbers
// beyond a double (1e400) and invalid UTF-8 alike, never a nlohmann exception.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace dtf {

/// One JSON value on line `line` of `file` (a JSON Lines record).
nlohmann::json parse_json_line(std::string_view text, const std::string& file, int line);
nlohmann::ordered_json parse_ordered_json_line(std::string_view text, const std::string& file, int line);

/// Checks a whole JSON document without keeping it; the line of an error is
/// counted from the start of `text`.
void check_json_document(std::string_view text, const std::string& file);

} // namespace dtf
