#include "scheduler/input/located_json.hpp"

#include "scheduler/input/input_error.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace dtf {

namespace {

/// nlohmann's SAX events, forwarded to its DOM builder (when one is wanted),
/// while keeping the path to the value being read ("requirements.hardware[1]")
/// and the first error with its byte offset.
template <class Json>
class located_sax {
public:
  using number_integer_t = typename Json::number_integer_t;
  using number_unsigned_t = typename Json::number_unsigned_t;
  using number_float_t = typename Json::number_float_t;
  using string_t = typename Json::string_t;
  using binary_t = typename Json::binary_t;

  explicit located_sax(Json* result) {
    if (result) dom_.emplace(*result, false);
  }

  bool null() { return value([&](auto& dom) { return dom.null(); }); }
  bool boolean(bool x) { return value([&](auto& dom) { return dom.boolean(x); }); }
  bool number_integer(number_integer_t x) { return value([&](auto& dom) { return dom.number_integer(x); }); }
  bool number_unsigned(number_unsigned_t x) { return value([&](auto& dom) { return dom.number_unsigned(x); }); }
  bool number_float(number_float_t x, const string_t& s) { return value([&](auto& dom) { return dom.number_float(x, s); }); }
  bool string(string_t& x) { return value([&](auto& dom) { return dom.string(x); }); }
  bool binary(binary_t& x) { return value([&](auto& dom) { return dom.binary(x); }); }
  bool start_object(std::size_t n) {
    frames_.push_back({false, 0, {}});
    return !dom_ || dom_->start_object(n);
  }
  bool key(string_t& name) {
    frames_.back().key = name;
    return !dom_ || dom_->key(name);
  }
  bool end_object() { return end([&](auto& dom) { return dom.end_object(); }); }
  bool start_array(std::size_t n) {
    frames_.push_back({true, 0, {}});
    return !dom_ || dom_->start_array(n);
  }
  bool end_array() { return end([&](auto& dom) { return dom.end_array(); }); }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& error) {
    error_byte_ = byte;
    error_id_ = error.id;
    error_text_ = error.what();
    return false;
  }

  std::optional<std::size_t> error_byte() const { return error_byte_; }
  int error_id() const { return error_id_; }
  const std::string& error_text() const { return error_text_; }
  std::string field() const {
    std::string path;
    for (const auto& frame : frames_) {
      if (frame.array) path += "[" + std::to_string(frame.index) + "]";
      else path += (path.empty() ? "" : ".") + frame.key;
    }
    return path;
  }

private:
  struct frame {
    bool array;
    std::size_t index;  // arrays: values read so far
    std::string key;    // objects: the member being read
  };
  template <class Forward>
  bool value(Forward forward) {
    const bool ok = !dom_ || forward(*dom_);
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return ok;
  }
  template <class Forward>
  bool end(Forward forward) {
    frames_.pop_back();
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return !dom_ || forward(*dom_);
  }

  std::optional<nlohmann::detail::json_sax_dom_parser<Json>> dom_;
  std::vector<frame> frames_;
  std::optional<std::size_t> error_byte_;
  int error_id_ = 0;
  std::string error_text_;
};

int line_at_byte(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n'));
}

std::size_t column_at_byte(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  const auto newline = text.substr(0, byte).rfind('\n');
  return byte - (newline == std::string_view::npos ? 0 : newline + 1) + 1;
}

std::string hex_byte(unsigned char c) {
  constexpr char digits[] = "0123456789abcdef";
  return std::string{"0x"} + digits[c >> 4] + digits[c & 0xF];
}

/// Parses; on failure throws input_error at first_line plus the lines before the error.
template <class Json>
void parse_located(std::string_view text, const std::string& file, int first_line, Json* result) {
  located_sax<Json> sax{result};
  bool ok = false;
  try {
    ok = Json::sax_parse(text, &sax, nlohmann::detail::input_format_t::json, true);
  } catch (const nlohmann::detail::exception& e) {  // e.g. an object too large for the container
    throw input_error(file, first_line, sax.field(), std::string{"invalid JSON: "} + e.what());
  }
  if (ok && !sax.error_byte()) return;
  const std::size_t byte = sax.error_byte().value_or(text.size());
  const std::string field = sax.field();
  if (sax.error_id() == 406)  // out_of_range: a number beyond a double
    throw input_error(file, first_line + line_at_byte(text, byte > 0 ? byte - 1 : 0) - 1, field, "number out of range");
  if (const auto bad = invalid_utf8_at(text); bad && *bad < byte && sax.error_text().find("UTF-8") != std::string::npos)
    throw input_error(file, first_line + line_at_byte(text, *bad) - 1, field,
                      "invalid UTF-8 (byte " + hex_byte(static_cast<unsigned char>(text[*bad])) + " at column " +
                          std::to_string(column_at_byte(text, *bad)) + ")");
  // "[json.exception.parse_error.101] parse error at line 3, column 9: syntax error ..." -> "syntax error ..."
  std::string message = sax.error_text();
  if (const auto column = message.find("column "); column != std::string::npos)
    if (const auto colon = message.find(": ", column); colon != std::string::npos) message = message.substr(colon + 2);
  // A syntax error lies between values: the line says where, a field would mislead.
  throw input_error(file, first_line + line_at_byte(text, byte > 0 ? byte - 1 : 0) - 1, "", "invalid JSON: " + message);
}

} // namespace

nlohmann::json parse_json_line(std::string_view text, const std::string& file, int line) {
  nlohmann::json result;
  parse_located(text, file, line, &result);
  return result;
}

nlohmann::ordered_json parse_ordered_json_line(std::string_view text, const std::string& file, int line) {
  nlohmann::ordered_json result;
  parse_located(text, file, line, &result);
  return result;
}

void check_json_document(std::string_view text, const std::string& file) {
  parse_located<nlohmann::json>(text, file, 1, nullptr);
}

} // namespace dtf
