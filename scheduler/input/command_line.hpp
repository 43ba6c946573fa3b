#pragma once
// Splitting a command written as one string into argv, the way a POSIX shell
// splits words (quotes and backslashes; no expansion of any kind).
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dtf {

/// Throws std::invalid_argument on an unterminated quote or trailing backslash.
std::vector<std::string> split_command_line(std::string_view text);

} // namespace dtf
