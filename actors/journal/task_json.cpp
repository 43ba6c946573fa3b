#include "actors/journal/task_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace dtf {
namespace {

using json = nlohmann::json;

const json& field(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) throw std::runtime_error(std::string{"task definition: missing field '"} + name + "'");
  return *it;
}

template <class T>
T value_of(const json& object, const char* name) {
  try {
    return field(object, name).get<T>();
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string{"task definition: field '"} + name + "': " + e.what());
  }
}

} // namespace

std::string task_to_json(const task& t) {
  json requirements;
  auto& hardware = requirements["hardware"] = json::array();
  for (auto kind : t.requirements.hardware) hardware.push_back(std::string{to_string(kind)});
  requirements["min_memory_gb"] = t.requirements.min_memory_gb;
  requirements["min_cuda_compute"] =
      t.requirements.min_cuda_compute ? json(*t.requirements.min_cuda_compute) : json(nullptr);
  requirements["gfx_arch"] = t.requirements.gfx_arch;
  requirements["device"] = t.requirements.device ? json(*t.requirements.device) : json(nullptr);
  requirements["require_device"] = t.requirements.require_device;
  requirements["labels"] = t.requirements.labels;
  requirements["min_cores"] = t.requirements.min_cores;

  json out;
  out["id"] = t.id;
  out["type"] = std::string{to_string(t.type)};
  out["priority"] = t.priority;
  out["model"] = t.model;
  out["batch_size"] = t.batch_size;
  out["requirements"] = std::move(requirements);
  out["command"] = t.command;
  out["env"] = t.env;
  out["working_directory"] = t.working_directory;
  out["timeout_s"] = std::isfinite(t.timeout_s) ? t.timeout_s : 0.0;
  out["retries"] = t.retries;
  out["sequence"] = t.sequence;
  out["origin"] = t.origin;
  // Task text comes from users: invalid UTF-8 is replaced rather than thrown.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

task task_from_json(std::string_view text) {
  json in;
  try {
    in = json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string{"task definition is not JSON: "} + e.what());
  }
  if (!in.is_object()) throw std::runtime_error("task definition is not a JSON object");
  task t;
  t.id = value_of<std::string>(in, "id");
  const auto type = value_of<std::string>(in, "type");
  auto parsed_type = parse_task_type(type);
  if (!parsed_type) throw std::runtime_error("task definition: field 'type': unknown task type '" + type + "'");
  t.type = *parsed_type;
  t.priority = value_of<int>(in, "priority");
  t.model = value_of<std::string>(in, "model");
  t.batch_size = value_of<int>(in, "batch_size");
  const auto& r = field(in, "requirements");
  if (!r.is_object()) throw std::runtime_error("task definition: field 'requirements' is not an object");
  for (const auto& name : value_of<std::vector<std::string>>(r, "hardware")) {
    auto kind = parse_device_kind(name);
    if (!kind) throw std::runtime_error("task definition: field 'requirements.hardware': unknown kind '" + name + "'");
    t.requirements.hardware.push_back(*kind);
  }
  t.requirements.min_memory_gb = value_of<double>(r, "min_memory_gb");
  if (const auto& cc = field(r, "min_cuda_compute"); !cc.is_null()) t.requirements.min_cuda_compute = value_of<double>(r, "min_cuda_compute");
  t.requirements.gfx_arch = value_of<std::vector<std::string>>(r, "gfx_arch");
  if (const auto& device = field(r, "device"); !device.is_null()) t.requirements.device = value_of<std::string>(r, "device");
  t.requirements.require_device = value_of<std::vector<std::string>>(r, "require_device");
  t.requirements.labels = value_of<std::vector<std::string>>(r, "labels");
  t.requirements.min_cores = value_of<int>(r, "min_cores");
  t.command = value_of<std::vector<std::string>>(in, "command");
  t.env = value_of<std::map<std::string, std::string>>(in, "env");
  t.working_directory = value_of<std::string>(in, "working_directory");
  t.timeout_s = value_of<double>(in, "timeout_s");
  t.retries = value_of<int>(in, "retries");
  t.sequence = value_of<std::uint64_t>(in, "sequence");
  t.origin = value_of<std::string>(in, "origin");
  return t;
}

} // namespace dtf
