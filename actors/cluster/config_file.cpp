#include "actors/cluster/config_file.hpp"

#include "scheduler/input/input_error.hpp"
#include "scheduler/input/input_limits.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/config_value.hpp>
#include <caf/settings.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace dtf {

namespace {

void flatten(const std::string& path, const caf::settings& section, const std::string& prefix,
             std::vector<config_entry>& out) {
  for (const auto& [name, value] : section) {
    const std::string key = prefix + std::string{name};
    if (auto nested = caf::get_if<caf::settings>(&value)) {
      flatten(path, *nested, key + ".", out);
      continue;
    }
    std::string text;
    if (auto i = caf::get_if<int64_t>(&value)) text = std::to_string(*i);
    else if (auto b = caf::get_if<bool>(&value)) text = *b ? "true" : "false";
    else if (auto d = caf::get_if<double>(&value)) {
      if (!std::isfinite(*d)) throw input_error(path, 0, key, "number out of range");
      text = config_number_text(*d);
    } else if (auto t = caf::get_if<caf::timespan>(&value))
      text = config_number_text(std::chrono::duration<double>(*t).count()) + "s";
    else if (auto s = caf::get_if<std::string>(&value)) text = *s;
    else if (auto a = caf::get_if<caf::atom_value>(&value)) text = caf::to_string(*a);
    else throw input_error(path, 0, key, "expected one value (a number, true/false, a duration or a \"string\")");
    out.push_back({key, std::move(text)});
  }
}

/// The file as CAF reads it: a UTF-8 byte order mark and CR line ends (a file
/// saved on Windows) removed; CAF's parser stopped at either with
/// "trailing_character" and no hint.
std::string without_bom_and_cr(std::string text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::erase(text, '\r');
  return text;
}

/// CAF keeps the first of two values for one key and drops the other
/// silently: a key set twice is an error naming both lines. Only plain
/// `key=value` lines at the top of a [section] are checked (values in braces
/// or lists spanning lines are CAF's to read).
void refuse_duplicate_keys(const std::string& path, const std::string& text) {
  std::map<std::string, int> first_line;
  std::string section;
  int depth = 0;  // of { and [ left open by earlier lines (outside strings)
  int line_number = 0;
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    ++line_number;
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == ';') continue;
    const bool top = depth == 0;
    bool quoted = false;
    for (std::size_t i = start; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"' && (i == 0 || line[i - 1] != '\\')) quoted = !quoted;
      else if (!quoted && c == ';') break;
      else if (!quoted && (c == '{' || c == '[')) ++depth;
      else if (!quoted && (c == '}' || c == ']')) --depth;
    }
    if (!top) continue;
    if (line[start] == '[') {  // a [section] header: its brackets balance
      depth = 0;
      const auto close = line.find(']', start);
      if (close != std::string::npos) section = line.substr(start + 1, close - start - 1) + ".";
      continue;
    }
    const auto eq = line.find('=', start);
    if (eq == std::string::npos) continue;
    auto key = line.substr(start, eq - start);
    key.erase(key.find_last_not_of(" \t") + 1);
    if (key.empty() || key.find_first_of("\"{}[] \t") != std::string::npos) continue;
    key = section + key;
    if (const auto [at, inserted] = first_line.emplace(key, line_number); !inserted)
      throw input_error(path, line_number, key, "set twice (first at line " + std::to_string(at->second) + ")");
  }
}

} // namespace

std::string config_number_text(double v) {
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::vector<config_entry> read_config_file(const std::string& path) {
  const auto text = without_bom_and_cr(read_input_file(path));
  refuse_duplicate_keys(path, text);
  std::istringstream in{text};
  auto parsed = caf::actor_system_config::parse_config(in);
  if (!parsed) {
    // CAF's parser_error(code, ({"column" = C, "line" = L})) in dtf's words.
    auto text = caf::to_string(parsed.error());
    int line = 0;
    if (auto at = text.find("\"line\" = "); at != std::string::npos) line = std::atoi(text.c_str() + at + 9);
    throw input_error(path, line, "", "not in CAF's config format (" + text + "); expected [section] headers, "
                                      "key=value lines, ; comments, \"quoted\" strings");
  }
  std::vector<config_entry> out;
  flatten(path, *parsed, "", out);
  return out;
}

} // namespace dtf
