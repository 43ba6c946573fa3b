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
  std::istringstream in{read_input_file(path)};
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
