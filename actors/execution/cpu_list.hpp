#pragma once
// Parses Linux/hwloc cpu list strings ("0-3,8,10-11") for binding a child
// process; done in the parent because the child may only make async-signal-safe calls.
#include <optional>
#include <string_view>

#include <sched.h>

namespace dtf {

/// nullopt when the text is malformed, names a cpu >= CPU_SETSIZE, or is empty.
std::optional<cpu_set_t> parse_cpu_list(std::string_view text);

} // namespace dtf
