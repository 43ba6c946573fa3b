#include "scheduler/placeholder_text.hpp"

#include "scheduler/input_document.hpp"

#include <vector>

namespace dtf {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

} // namespace

std::string substitute_placeholders(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      throw placeholder_error("stray '}' in \"" + std::string(text) + "\" (write '}}' for a literal brace)");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 1);
    const std::string_view name = close == std::string_view::npos ? std::string_view{} : text.substr(i + 1, close - i - 1);
    bool valid_name = !name.empty();
    for (const char n : name) valid_name = valid_name && is_name_char(n);
    if (!valid_name)
      throw placeholder_error("'{' at offset " + std::to_string(i) + " of \"" + std::string(text) +
                              "\" does not start a {name} placeholder (write '{{' for a literal brace)");
    const auto found = values.find(std::string(name));
    if (found == values.end()) {
      std::vector<std::string_view> known;
      for (const auto& [key, value] : values) known.push_back(key);
      std::string message = "placeholder {" + std::string(name) + "} has no value";
      if (const auto suggestion = closest_name(name, known); !suggestion.empty())
        message += " (did you mean {" + suggestion + "}?)";
      else {
        message += " (known:";
        for (const auto key : known) message += " {" + std::string(key) + "}";
        message += ")";
      }
      throw placeholder_error(message);
    }
    out += found->second;
    i = close;
  }
  return out;
}

} // namespace dtf
