#include "scheduler/simulation/trace.hpp"

#include "scheduler/input/input_error.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/input/located_json.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <istream>
#include <ostream>
#include <set>
#include <sstream>

namespace dtf {
namespace {

using json = nlohmann::ordered_json;

/// Reports errors for one line of the trace.
struct line_context {
  const std::string& file;
  int line;
  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw input_error(file, line, field, message);
  }
};

double number_field(const json& value, const line_context& at, const std::string& field) {
  if (!value.is_number()) at.fail(field, "expected a number, got " + std::string{value.type_name()});
  const double x = value.get<double>();
  if (!std::isfinite(x)) at.fail(field, "must be finite");
  if (x < 0.0) at.fail(field, "must not be negative");
  return x;
}

/// Times (arrival, durations, load) up to max_run_seconds: beyond it sums
/// and means over a trace lose every digit that matters (1e308 s printed a
/// 300-digit makespan, and two of them an infinite mean).
double seconds_field(const json& value, const line_context& at, const std::string& field) {
  const double x = number_field(value, at, field);
  if (x > max_run_seconds) at.fail(field, "must be at most 1e9 s (about 32 years)");
  return x;
}

std::string string_field(const json& value, const line_context& at, const std::string& field) {
  if (!value.is_string()) at.fail(field, "expected a string, got " + std::string{value.type_name()});
  return value.get<std::string>();  // valid UTF-8: the parser checked
}

int int_field(const json& value, const line_context& at, const std::string& field) {
  if (!value.is_number_integer()) at.fail(field, "expected an integer, got " + std::string{value.type_name()});
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > 1'000'000'000ULL) at.fail(field, "out of range");
  const auto x = value.get<long long>();
  if (x < -1'000'000'000LL || x > 1'000'000'000LL) at.fail(field, "out of range");
  return static_cast<int>(x);
}

/// A string or a list of strings.
std::vector<std::string> string_list(const json& value, const line_context& at, const std::string& field) {
  if (value.is_string()) return {value.get<std::string>()};
  if (!value.is_array()) at.fail(field, "expected a string or a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(string_field(value[i], at, field + "[" + std::to_string(i) + "]"));
  return out;
}

task_requirements parse_requirements(const json& value, const line_context& at) {
  if (!value.is_object()) at.fail("requirements", "expected an object");
  task_requirements r;
  for (const auto& [key, item] : value.items()) {
    const std::string field = "requirements." + key;
    if (key == "hardware") {
      for (const auto& name : string_list(item, at, field)) {
        auto kind = parse_device_kind(name);
        if (!kind) at.fail(field, "unknown hardware kind " + quoted_value(name) + " (cpu, cuda, rocm)");
        r.hardware.push_back(*kind);
      }
    } else if (key == "min_memory_gb") {
      r.min_memory_gb = number_field(item, at, field);
    } else if (key == "min_cuda_compute") {
      r.min_cuda_compute = number_field(item, at, field);
    } else if (key == "gfx_arch") {
      r.gfx_arch = string_list(item, at, field);
    } else if (key == "device") {
      r.device = string_field(item, at, field);
    } else if (key == "require_device") {
      r.require_device = string_list(item, at, field);
    } else if (key == "labels") {
      r.labels = string_list(item, at, field);
    } else if (key == "min_cores") {
      r.min_cores = int_field(item, at, field);
      if (r.min_cores < 0) at.fail(field, "must not be negative");
    } else {
      at.fail(field, "unknown key");
    }
  }
  return r;
}

trace_task parse_line(const json& object, const line_context& at) {
  if (!object.is_object()) at.fail("", "expected one JSON object per line");
  trace_task t;
  t.line = at.line;
  bool has_id = false, has_duration = false;
  for (const auto& [key, item] : object.items()) {
    if (key == "id") {
      t.spec.id = string_field(item, at, key);
      if (t.spec.id.empty()) at.fail(key, "must not be empty");
      has_id = true;
    } else if (key == "arrival") {
      t.arrival_s = seconds_field(item, at, key);
    } else if (key == "type") {
      const auto text = string_field(item, at, key);
      auto type = parse_task_type(text);
      if (!type) at.fail(key, "unknown task type " + quoted_value(text) + " (benchmark, test, custom)");
      t.spec.type = *type;
    } else if (key == "model") {
      t.spec.model = string_field(item, at, key);
    } else if (key == "batch_size") {
      t.spec.batch_size = int_field(item, at, key);
      if (t.spec.batch_size < 0) at.fail(key, "must not be negative");
    } else if (key == "priority") {
      t.spec.priority = int_field(item, at, key);
    } else if (key == "requirements") {
      t.spec.requirements = parse_requirements(item, at);
    } else if (key == "duration") {
      if (!item.is_object()) at.fail(key, "expected an object of device name or kind -> seconds");
      for (const auto& [device, seconds] : item.items()) {
        const std::string field = "duration." + device;
        if (device.empty()) at.fail(field, "device name must not be empty");
        const double s = seconds_field(seconds, at, field);
        if (s <= 0.0) at.fail(field, "must be positive");
        t.duration_s.emplace_back(device, s);
      }
      if (t.duration_s.empty()) at.fail(key, "must name at least one device or kind");
      has_duration = true;
    } else if (key == "load") {
      t.load_s = seconds_field(item, at, key);
    } else {
      at.fail(key, "unknown key");
    }
  }
  if (!has_id) at.fail("id", "missing");
  if (!has_duration) at.fail("duration", "missing");
  t.spec.origin = at.file + ":" + std::to_string(at.line);
  return t;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json requirements_json(const task_requirements& r) {
  json out = json::object();
  if (!r.hardware.empty()) {
    json kinds = json::array();
    for (auto k : r.hardware) kinds.push_back(std::string{to_string(k)});
    out["hardware"] = kinds;
  }
  if (r.min_memory_gb > 0) out["min_memory_gb"] = r.min_memory_gb;
  if (r.min_cuda_compute) out["min_cuda_compute"] = *r.min_cuda_compute;
  if (!r.gfx_arch.empty()) out["gfx_arch"] = r.gfx_arch;
  if (r.device) out["device"] = *r.device;
  if (!r.require_device.empty()) out["require_device"] = r.require_device;
  if (!r.labels.empty()) out["labels"] = r.labels;
  if (r.min_cores > 0) out["min_cores"] = r.min_cores;
  return out;
}

} // namespace

trace parse_trace(std::istream& in, const std::string& file_name) {
  trace out;
  out.file = file_name;
  std::set<std::string> ids;
  std::string text;
  int line = 0;
  std::size_t bytes = 0;
  while (std::getline(in, text)) {
    ++line;
    bytes += text.size() + 1;
    if (bytes > default_max_input_bytes + 1) throw file_too_large(file_name, default_max_input_bytes);
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); })) continue;
    const line_context at{file_name, line};
    auto t = parse_line(parse_ordered_json_line(text, file_name, line), at);
    if (!ids.insert(t.spec.id).second) at.fail("id", "duplicate task id " + quoted_value(t.spec.id));
    t.spec.sequence = out.tasks.size();
    out.tasks.push_back(std::move(t));
  }
  return out;
}

trace read_trace(const std::string& path) {
  std::istringstream in(read_input_file(path));  // bounded: a FIFO or /dev/zero ends too
  return parse_trace(in, path);
}

void write_trace(std::ostream& out, const trace& t) {
  for (const auto& task : t.tasks) {
    json line = json::object();
    line["id"] = task.spec.id;
    line["arrival"] = task.arrival_s;
    line["type"] = std::string{to_string(task.spec.type)};
    if (!task.spec.model.empty()) line["model"] = task.spec.model;
    if (task.spec.batch_size > 0) line["batch_size"] = task.spec.batch_size;
    line["priority"] = task.spec.priority;
    line["requirements"] = requirements_json(task.spec.requirements);
    json duration = json::object();
    for (const auto& [device, seconds] : task.duration_s) duration[device] = seconds;
    line["duration"] = duration;
    line["load"] = task.load_s;
    out << line.dump() << '\n';
  }
}

std::optional<double> true_duration_s(const trace_task& t, const worker_capability& w) {
  for (const auto& [device, seconds] : t.duration_s)
    if (device == w.name) return seconds;
  const std::string name = lower(w.name);
  const std::pair<std::string, double>* best = nullptr;
  for (const auto& entry : t.duration_s)
    if (name.find(lower(entry.first)) != std::string::npos && (!best || entry.first.size() > best->first.size()))
      best = &entry;
  if (best) return best->second;
  const auto kind = to_string(w.kind);
  for (const auto& [device, seconds] : t.duration_s)
    if (lower(device) == kind) return seconds;
  return std::nullopt;
}

} // namespace dtf
