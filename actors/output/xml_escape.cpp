#include "actors/output/xml_escape.hpp"

#include <cstdint>
#include <cstdio>

namespace dtf {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence at text[i], 0 if invalid; sets code_point.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  unsigned char lead = byte(0);
  std::size_t length;
  std::uint32_t minimum;
  if (lead < 0x80) return code_point = lead, 1;
  if ((lead & 0xE0) == 0xC0) length = 2, code_point = lead & 0x1F, minimum = 0x80;
  else if ((lead & 0xF0) == 0xE0) length = 3, code_point = lead & 0x0F, minimum = 0x800;
  else if ((lead & 0xF8) == 0xF0) length = 4, code_point = lead & 0x07, minimum = 0x10000;
  else return 0;
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(k) & 0x3F);
  }
  // Overlong forms, surrogates and code points beyond Unicode are invalid UTF-8.
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
  return length;
}

} // namespace

std::string xml_escape(std::string_view text, bool attribute) {
  std::string result;
  result.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t code_point = 0;
    auto length = utf8_sequence_length(text, i, code_point);
    if (length == 0) {
      result += replacement_character;
      ++i;
      continue;
    }
    char buffer[16];
    switch (code_point) {
      case '&': result += "&amp;"; break;
      case '<': result += "&lt;"; break;
      case '>': result += "&gt;"; break;
      case '"': result += "&quot;"; break;
      case '\'': result += "&apos;"; break;
      case '\t': result += attribute ? "&#9;" : "\t"; break;
      case '\n': result += attribute ? "&#10;" : "\n"; break;
      case '\r': result += "&#13;"; break;
      default:
        if (code_point < 0x20 || code_point == 0x7F) {
          std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned>(code_point));
          result += buffer;
        } else if (code_point == 0xFFFE || code_point == 0xFFFF) {
          std::snprintf(buffer, sizeof buffer, "\\u%04X", static_cast<unsigned>(code_point));
          result += buffer;
        } else {
          result.append(text.substr(i, length));
        }
    }
    i += length;
  }
  return result;
}

} // namespace dtf
