#pragma once
// UTF-8 checks and message-safe copies of user text: input files can hold any
// bytes, and error messages must stay one readable, valid UTF-8 line.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dtf {

/// Byte offset of the first byte that does not start a well-formed UTF-8
/// sequence (overlong forms, surrogates and code points past U+10FFFF are
/// ill-formed); nullopt when the whole text is valid.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

/// Longest user value shown whole in a message, in bytes.
inline constexpr std::size_t message_value_bytes = 80;

/// `text` for an error message: control characters and bytes that are not
/// valid UTF-8 escaped as \n, \t, \r, \xNN or (C1 controls) \u00NN; cut after `max_bytes` bytes of
/// the original (never inside a character) with "...(N bytes)" saying how long
/// it was. Backslashes are kept as they are.
std::string message_text(std::string_view text, std::size_t max_bytes = message_value_bytes);

/// A user value for a message: 'value', through message_text.
inline std::string quoted_value(std::string_view value) { return "'" + message_text(value) + "'"; }

} // namespace dtf
