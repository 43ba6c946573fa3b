#pragma once
// Text from commands (stderr tails, task ids) made safe for XML 1.0.
#include <string>
#include <string_view>

namespace dtf {

/// Escapes & < > " ' ; in attributes also tab, newline and carriage return (as
/// character references, so they survive attribute normalization). Characters
/// XML 1.0 forbids even as references (control characters, U+FFFE, U+FFFF)
/// become the text "\xNN" / "\uFFFE", and invalid UTF-8 bytes become U+FFFD.
std::string xml_escape(std::string_view text, bool attribute);

} // namespace dtf
