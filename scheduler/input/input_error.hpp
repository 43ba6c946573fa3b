#pragma once
// Errors in user input (suite, fleet, trace files): they always name the
// file, the line where the format gives one, and the field. The message is
// one line whatever the input held: control characters and invalid UTF-8 are
// escaped, and overlong parts cut (callers cut each quoted value shorter).
#include "scheduler/input/utf8_text.hpp"

#include <stdexcept>
#include <string>

namespace dtf {

class input_error : public std::runtime_error {
public:
  input_error(std::string file, int line, std::string field, std::string message)
    : std::runtime_error(format(file, line, field, message)),
      file_(std::move(file)), line_(line), field_(std::move(field)) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }  // 0 when unknown
  const std::string& field() const { return field_; }

private:
  static std::string format(const std::string& file, int line, const std::string& field,
                            const std::string& message) {
    std::string out = file.empty() ? std::string{"<input>"} : message_text(file, 1024);
    if (line > 0) out += ":" + std::to_string(line);
    if (!field.empty()) out += ": field '" + message_text(field, 2 * message_value_bytes) + "'";
    out += ": " + message_text(message, 1024);
    return out;
  }
  std::string file_;
  int line_;
  std::string field_;
};

} // namespace dtf
