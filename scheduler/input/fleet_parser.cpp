#include "scheduler/input/fleet_parser.hpp"

#include "scheduler/input/input_limits.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <cmath>
#include <map>

namespace dtf {

namespace {

constexpr std::string_view top_level_keys[] = {"workers"};
constexpr std::string_view worker_keys[] = {"id",    "kind",  "name",  "memory_gb", "compute_capability",
                                            "arch",  "cores", "speed", "slots",     "labels",
                                            "count", "host"};
constexpr std::string_view device_kind_names[] = {"cpu", "cuda", "rocm"};

} // namespace

std::vector<worker_capability> parse_fleet_text(std::string_view text, const std::string& file_name,
                                                input_format format) {
  const input_reader reader(file_name);
  const located_node root = reader.root(load_input_document(text, file_name, format));
  const located_node* workers_node = nullptr;
  const auto top = reader.entries(root, top_level_keys);
  for (const auto& [key, value] : top) workers_node = &value;
  if (!workers_node) reader.fail({root.node, "workers", root.line}, "missing: a fleet needs a 'workers' list");
  if (workers_node->node.IsSequence() && workers_node->node.size() == 0)
    reader.fail(*workers_node, "the worker list is empty");

  std::vector<worker_capability> workers;
  std::map<std::string, int> first_line;  // id -> line, for duplicate messages
  for (const auto& item : reader.items(*workers_node)) {
    if (!item.node.IsMap()) reader.fail(item, "a worker must be a mapping of fields");
    // Fields are named with the worker's index (workers[2].speed): a flow-style
    // list puts several workers on one line.
    const located_node& worker_node = item;
    worker_capability w;
    w.emulated = true;
    long long count = 1;
    const located_node* id_node = nullptr;
    const located_node* kind_node = nullptr;
    const located_node* compute_node = nullptr;
    const located_node* arch_node = nullptr;
    const auto non_negative = [&](const located_node& at) {
      const long long value = reader.integer(at);
      if (value < 0) reader.fail(at, "must be >= 0, got " + std::to_string(value));
      if (value > (1 << 30)) reader.fail(at, "is too large: " + std::to_string(value));
      return static_cast<int>(value);
    };
    const auto fields = reader.entries(worker_node, worker_keys);  // outlives the pointers below
    for (const auto& [key, value] : fields) {
      if (key == "id") {
        w.id = reader.non_empty_text(value);
        id_node = &value;
      } else if (key == "kind") {
        const std::string name = reader.text(value);
        const auto kind = parse_device_kind(name);
        if (!kind) {
          const auto suggestion = closest_name(name, device_kind_names);
          reader.fail(value, "unknown worker kind " + quoted_value(name) + " (" +
                                 (suggestion.empty() ? "expected cpu, cuda or rocm" : "did you mean '" + suggestion + "'?") +
                                 ")");
        }
        w.kind = *kind;
        kind_node = &value;
      } else if (key == "name") {
        w.name = reader.non_empty_text(value);
      } else if (key == "memory_gb") {
        const double gb = reader.number(value);
        if (gb < 0) reader.fail(value, "must be >= 0, got " + message_text(reader.text(value)));
        if (gb > 1e9) reader.fail(value, "is too large: " + quoted_value(reader.text(value)));
        w.memory_bytes = static_cast<std::uint64_t>(std::llround(gb * bytes_per_gb));
      } else if (key == "compute_capability") {
        w.compute_capability = reader.number(value);
        if (*w.compute_capability <= 0) reader.fail(value, "must be > 0, got " + message_text(reader.text(value)));
        compute_node = &value;
      } else if (key == "arch") {
        w.arch = reader.non_empty_text(value);
        arch_node = &value;
      } else if (key == "cores") {
        w.cores = non_negative(value);
      } else if (key == "speed") {
        w.speed = reader.number(value);
        // Bounded both ways: durations divide by it (1e-300 made every run
        // last 1e300 s).
        if (!(w.speed >= min_worker_speed && w.speed <= max_worker_speed))
          reader.fail(value, "must be from 0.001 to 1000 (times the reference speed), got " +
                                 message_text(reader.text(value)));
      } else if (key == "slots") {
        w.slots = non_negative(value);
        if (w.slots > max_worker_slots)
          reader.fail(value, "must be at most " + std::to_string(max_worker_slots) + ", got " + std::to_string(w.slots));
      } else if (key == "labels") {
        w.labels = reader.text_list(value);
      } else if (key == "count") {
        count = reader.integer(value);
        if (count < 1 || count > 4096) reader.fail(value, "must be between 1 and 4096, got " + std::to_string(count));
      } else if (key == "host") {
        w.host = reader.non_empty_text(value);
      }
    }
    if (!id_node) reader.fail({item.node, item.field + ".id", item.line}, "missing: every worker needs an id");
    if (!kind_node) reader.fail({item.node, item.field + ".kind", item.line}, "missing: every worker needs a kind (cpu, cuda or rocm)");
    if (compute_node && w.kind != device_kind::cuda)
      reader.fail(*compute_node, "only cuda workers have a compute capability (this worker is " +
                                     std::string(to_string(w.kind)) + ")");
    if (arch_node && w.kind != device_kind::rocm)
      reader.fail(*arch_node, "only rocm workers have a gfx arch (this worker is " + std::string(to_string(w.kind)) + ")");
    if (w.name.empty()) w.name = w.id;
    const std::string base_id = w.id;
    if (workers.size() + static_cast<std::size_t>(count) > max_fleet_workers)
      reader.fail(item, "the fleet has more than " + std::to_string(max_fleet_workers) + " workers, the limit");
    for (long long n = 1; n <= count; ++n) {
      worker_capability copy = w;
      if (count > 1) copy.id = base_id + "-" + std::to_string(n);
      if (const auto [first, inserted] = first_line.emplace(copy.id, id_node->line); !inserted)
        reader.fail(*id_node, "duplicate worker id " + quoted_value(copy.id) + " (first defined at " + file_name + ":" +
                                  std::to_string(first->second) + ")");
      workers.push_back(std::move(copy));
    }
  }
  return workers;
}

std::vector<worker_capability> parse_fleet_file(const std::filesystem::path& path) {
  const std::string text = read_input_file(path);
  return parse_fleet_text(text, path.string(), detect_input_format(path, text));
}

} // namespace dtf
