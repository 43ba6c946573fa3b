#include "actors/execution/metrics_line.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

namespace dtf {
namespace {

bool is_number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// Strict JSON rejects a whole object for one overflowing number, and Python's
/// json.dumps writes NaN and Infinity. Both become null here, outside strings,
/// so that the other members of the line survive.
std::string null_out_non_finite_numbers(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (in_string) {
      result += c;
      if (c == '\\' && i + 1 < text.size()) result += text[++i];
      else if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      result += c;
      ++i;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9') || is_letter(c)) {
      std::size_t end = i + 1;
      bool word = is_letter(c) || (c == '-' && i + 1 < text.size() && is_letter(text[i + 1]));
      while (end < text.size() && (word ? is_letter(text[end]) : is_number_char(text[end]))) ++end;
      auto token = text.substr(i, end - i);
      if (token == "NaN" || token == "Infinity" || token == "-Infinity") {
        result += "null";
      } else if (!word) {
        std::string number{token};
        char* parsed_end = nullptr;
        double value = std::strtod(number.c_str(), &parsed_end);
        result += (parsed_end == number.c_str() + number.size() && !std::isfinite(value)) ? "null" : number;
      } else {
        result += token;
      }
      i = end;
      continue;
    }
    result += c;
    ++i;
  }
  return result;
}

constexpr std::string_view metrics_marker = "DTF_METRICS";

std::string_view without_leading_blanks(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

} // namespace

bool is_metrics_line(std::string_view line) { return without_leading_blanks(line).starts_with(metrics_marker); }

bool parse_metrics_line(std::string_view line, std::map<std::string, double>& metrics, std::size_t max_keys,
                        std::size_t* dropped_keys) {
  constexpr std::string_view marker = metrics_marker;
  line = without_leading_blanks(line);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.starts_with(marker)) return false;
  line.remove_prefix(marker.size());
  if (line.empty() || (line.front() != ' ' && line.front() != '\t')) return false;
  // allow_exceptions = false: invalid JSON yields a discarded value, not a throw.
  auto parsed = nlohmann::json::parse(null_out_non_finite_numbers(line), nullptr, false);
  if (!parsed.is_object()) return false;
  for (const auto& [key, value] : parsed.items()) {
    if (!value.is_number()) continue;
    double number = value.get<double>();
    if (!std::isfinite(number)) continue;
    if (const auto found = metrics.find(key); found != metrics.end())
      found->second = number;
    else if (metrics.size() < max_keys)
      metrics.emplace(key, number);
    else if (dropped_keys)
      ++*dropped_keys;
  }
  return true;
}

} // namespace dtf
