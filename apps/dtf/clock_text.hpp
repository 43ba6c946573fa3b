#pragma once
// Time of day for the log lines of long-running commands (coordinator, node).
#include <string>

namespace dtf::app {

/// Now, UTC, as HH:MM:SS.mmm.
std::string clock_text();

} // namespace dtf::app
