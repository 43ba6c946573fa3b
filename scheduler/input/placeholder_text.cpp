#include "scheduler/input/placeholder_text.hpp"

#include "scheduler/input/input_document.hpp"

#include <vector>

namespace dtf {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

/// The length of the placeholder name right after the '{' at `open`, when a '}'
/// ends it; 0 when that brace does not start a placeholder.
std::size_t placeholder_name_length(std::string_view text, std::size_t open) {
  std::size_t end = open + 1;
  if (end >= text.size() || !is_letter(text[end])) return 0;
  while (end < text.size() && is_name_char(text[end])) ++end;
  return end < text.size() && text[end] == '}' ? end - open - 1 : 0;
}

[[noreturn]] void no_value(std::string_view name, const std::map<std::string, std::string>& values) {
  std::vector<std::string_view> known;
  for (const auto& [key, value] : values) known.push_back(key);
  std::string message = "placeholder {" + std::string(name) + "} has no value";
  if (const auto suggestion = closest_name(name, known); !suggestion.empty()) {
    message += " (did you mean {" + suggestion + "}?)";
  } else {
    message += " (known:";
    for (const auto key : known) message += " {" + std::string(key) + "}";
    message += ")";
  }
  message += "; a literal {" + std::string(name) + "} is written {{" + std::string(name) + "}}";
  throw placeholder_error(message);
}

} // namespace

bool is_placeholder_name(std::string_view name) {
  if (name.empty() || !is_letter(name.front())) return false;
  for (const char c : name)
    if (!is_name_char(c)) return false;
  return true;
}

std::string substitute_placeholders(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  // The literal '{'s still open, innermost last: true where written '{{', so
  // that its '}}' collapses while a lone '{' keeps its lone '}'.
  std::vector<bool> open_doubled;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if (c == '{') {
      if (doubled) {
        out += '{';
        open_doubled.push_back(true);
        ++i;
      } else if (const std::size_t length = placeholder_name_length(text, i); length > 0) {
        const auto name = text.substr(i + 1, length);
        const auto found = values.find(std::string(name));
        if (found == values.end()) no_value(name, values);
        out += found->second;
        i += length + 1;
      } else {
        out += '{';
        open_doubled.push_back(false);
      }
    } else if (c == '}') {
      out += '}';
      const bool closes_lone = !open_doubled.empty() && !open_doubled.back();
      if (!closes_lone && doubled) ++i;
      if (!open_doubled.empty() && (closes_lone || doubled)) open_doubled.pop_back();
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace dtf
