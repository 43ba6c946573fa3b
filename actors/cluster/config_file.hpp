#pragma once
// Reads a dtf config file in CAF 0.17's own format (what actor_system_config
// reads: `[section]` headers, `key=value`, `;` comments, strings in double
// quotes, durations like 500ms) into flat key/value text pairs. CAF-free
// header; the parsing is CAF's.
#include <string>
#include <vector>

namespace dtf {

struct config_entry {
  std::string key;    // dotted: "middleman.heartbeat-interval"
  std::string value;  // as text: 4780, true, 0.5, 500ms (as seconds: 0.5s), a string's content
};

/// A number as the shortest text that reads back the same (how config files
/// and --dump-config write numbers).
std::string config_number_text(double value);

/// Every entry of the file, sorted by key. Throws dtf::input_error naming the
/// file (and the line and column CAF reports) for a syntax error, naming the
/// key for a value dtf cannot use (a list, a non-finite number), and naming
/// both lines for a key set twice. A byte order mark and CR line ends are
/// read past.
std::vector<config_entry> read_config_file(const std::string& path);

} // namespace dtf
