#include "actors/output/results_jsonl_reader.hpp"

#include "scheduler/input/input_error.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/input/located_json.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <nlohmann/json.hpp>

#include <limits>
#include <sstream>

namespace dtf {
namespace {

using json = nlohmann::json;

struct line_reader {
  const json& object;
  const std::string& file;
  int line;

  [[noreturn]] void fail(const char* field, const std::string& message) const {
    throw input_error(file, line, field, message);
  }
  const json* find(const char* field) const {
    auto it = object.find(field);
    return it == object.end() || it->is_null() ? nullptr : &*it;
  }
  std::string text(const char* field, bool required = false) const {
    const auto* value = find(field);
    if (!value) {
      if (required) fail(field, "missing");
      return {};
    }
    if (!value->is_string()) fail(field, "expected a string");
    return value->get<std::string>();
  }
  double number(const char* field, double fallback = 0.0) const {
    const auto* value = find(field);
    if (!value) return fallback;
    if (!value->is_number()) fail(field, "expected a number");
    return value->get<double>();
  }
  /// A time in seconds within [0, most]: beyond, the report's axes and sums
  /// lose every digit that matters (a start of 1e308 printed 300-digit ticks).
  double seconds(const char* field, double most, const char* range_text) const {
    const double x = number(field);
    if (!(x >= 0.0 && x <= most)) fail(field, std::string{"must be "} + range_text);
    return x;
  }
  int integer(const char* field, int fallback) const {
    const auto* value = find(field);
    if (!value) return fallback;
    if (!value->is_number_integer()) fail(field, "expected an integer");
    const bool fits = value->is_number_unsigned()
                          ? value->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())
                          : value->get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                                value->get<std::int64_t>() <= std::numeric_limits<int>::max();
    if (!fits) fail(field, "number out of range");
    return value->get<int>();
  }
};

} // namespace

attempt_record parse_results_json_line(std::string_view text, const std::string& file, int line) {
  const json object = parse_json_line(text, file, line);
  if (!object.is_object()) throw input_error(file, line, "", "expected one JSON object per line");
  const line_reader in{object, file, line};
  attempt_record r;
  r.task_id = in.text("task", true);
  r.worker_id = in.text("worker");
  const auto status = in.text("status", true);
  const auto parsed_status = parse_task_status(status);
  if (!parsed_status) in.fail("status", "unknown status " + quoted_value(status));
  r.status = *parsed_status;
  r.exit_code = in.integer("exit_code", -1);
  r.term_signal = in.integer("term_signal", 0);
  r.attempt = in.integer("attempt", 1);
  r.start_unix_s = in.seconds("start", max_unix_seconds, "a Unix time from 0 to 1e11 s");
  r.end_unix_s = in.seconds("end", max_unix_seconds, "a Unix time from 0 to 1e11 s");
  r.duration_s = in.seconds("duration_s", max_run_seconds, "from 0 to 1e9 s (about 32 years)");
  if (in.find("modeled_s")) r.modeled_s = in.seconds("modeled_s", max_run_seconds, "from 0 to 1e9 s (about 32 years)");
  if (in.find("predicted_s")) r.predicted_s = in.seconds("predicted_s", max_run_seconds, "from 0 to 1e9 s (about 32 years)");
  if (const auto from = in.text("predicted_from"); !from.empty()) {
    if (from != "history" && from != "default") in.fail("predicted_from", "expected \"history\" or \"default\"");
    r.predicted_from_history = from == "history";
  }
  r.worker_slots = in.integer("worker_slots", 0);
  if (r.worker_slots < 0) in.fail("worker_slots", "must be >= 0");
  if (const auto* metrics = in.find("metrics")) {
    if (!metrics->is_object()) in.fail("metrics", "expected an object");
    for (const auto& [name, value] : metrics->items())
      if (value.is_number()) r.metrics[name] = value.get<double>();
  }
  r.model = in.text("model");
  if (const auto type = in.text("type"); !type.empty()) {
    const auto parsed_type = parse_task_type(type);
    if (!parsed_type) in.fail("type", "unknown task type " + quoted_value(type));
    r.type = *parsed_type;
  }
  r.batch_size = in.integer("batch_size", 0);
  r.error = in.text("error");
  return r;
}

std::vector<attempt_record> read_results_jsonl(const std::filesystem::path& path) {
  std::istringstream in{read_input_file(path)};  // bounded: a FIFO or /dev/zero ends too
  std::vector<attempt_record> records;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    records.push_back(parse_results_json_line(line, path.string(), line_number));
  }
  return records;
}

} // namespace dtf
