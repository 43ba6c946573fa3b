#include "scheduler/input/suite_parser.hpp"

#include "scheduler/input/command_line.hpp"
#include "scheduler/input/placeholder_text.hpp"
#include "scheduler/model/duration_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace dtf {

namespace {

constexpr std::string_view top_level_keys[] = {"suite", "defaults", "tasks"};
constexpr std::string_view task_keys[] = {"id",      "type", "priority",          "model",   "batch_size", "requirements",
                                          "command", "env",  "working_directory", "timeout", "retries",    "matrix"};
// `defaults` takes every task field; a default id is a template such as "{model}-b{batch_size}".
constexpr std::string_view default_keys[] = {"id",  "type",    "priority",          "model",
                                             "batch_size", "requirements", "command", "env",
                                             "working_directory", "timeout", "retries"};
constexpr std::string_view requirement_keys[] = {"hardware", "min_memory_gb", "min_cuda_compute", "gfx_arch",
                                                 "device",   "require_device", "labels",          "min_cores"};
// Matrix keys that set a task field; any other key is only a placeholder.
constexpr std::string_view matrix_field_keys[] = {"type",    "priority", "model",           "batch_size",
                                                  "timeout", "retries",  "working_directory"};
constexpr std::string_view non_matrix_keys[] = {"id", "requirements", "command", "env", "matrix"};
constexpr std::string_view task_type_names[] = {"benchmark", "test", "custom"};
constexpr std::string_view device_kind_names[] = {"cpu", "cuda", "rocm"};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

using entry_list = std::vector<std::pair<std::string, located_node>>;

/// Sets or replaces `key` keeping the first position (defaults first, then the task's own).
void put(entry_list& entries, const std::string& key, located_node value) {
  const auto found = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
  if (found != entries.end())
    found->second = std::move(value);
  else
    entries.emplace_back(key, std::move(value));
}

const located_node* find(const entry_list& entries, std::string_view key) {
  const auto found = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
  return found == entries.end() ? nullptr : &found->second;
}

std::string number_text(double value) {
  char buffer[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  else
    std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

/// Lowercase word for generated ids: "meta-llama/Llama-2-7b-hf" -> "llama-2-7b-hf".
std::string id_word(std::string_view text) {
  if (const auto slash = text.rfind('/'); slash != std::string_view::npos) text = text.substr(slash + 1);
  std::string out;
  for (const char c : text) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '.' || lower == '_';
    if (keep)
      out += lower;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

/// One task after defaults and one matrix combination, before ids and substitution.
struct expanded_task {
  task value;
  entry_list fields;                                // merged: defaults, task, matrix
  std::shared_ptr<const entry_list> env;            // merged key by key; shared by a matrix's tasks
  std::map<std::string, std::string> placeholders;  // without {id} until ids are known
  std::vector<std::string> id_suffixes;             // matrix values that distinguish generated ids
  std::size_t entry_index = 0;
  int line = 0;
};

class suite_builder {
public:
  suite_builder(std::string file_name, const suite_options& options)
    : reader_(std::move(file_name)), options_(options) {}

  suite build(const YAML::Node& document) {
    const located_node root = reader_.root(document);
    const entry_list top = reader_.entries(root, top_level_keys);
    result_.name = default_suite_name();
    const located_node* tasks_node = nullptr;
    for (const auto& [key, value] : top) {
      if (key == "suite") result_.name = reader_.non_empty_text(value);
      if (key == "defaults") read_defaults(value);
      if (key == "tasks") tasks_node = &value;
    }
    if (!tasks_node) reader_.fail({root.node, "tasks", root.line}, "missing: a suite needs a 'tasks' list");
    if (tasks_node->node.IsSequence() && tasks_node->node.size() == 0)
      reader_.fail(*tasks_node, "the task list is empty");
    const auto entries = reader_.items(*tasks_node);
    for (std::size_t index = 0; index < entries.size(); ++index) expand_entry(entries[index], index);
    assign_ids();
    // Finished tasks move out one by one and each entry's working state goes
    // with it, so a large matrix never holds both at their full size.
    result_.tasks.reserve(expanded_.size());
    for (std::size_t i = 0; i < expanded_.size(); ++i) {
      finish(expanded_[i]);
      expanded_[i].value.sequence = i;
      result_.tasks.push_back(std::move(expanded_[i].value));
      expanded_[i] = expanded_task{};
    }
    return std::move(result_);
  }

private:
  std::string default_suite_name() const {
    const std::string stem = std::filesystem::path(reader_.file()).stem().string();
    return stem.empty() ? "suite" : stem;
  }

  void read_defaults(const located_node& node) {
    for (auto& [key, value] : reader_.entries(node, default_keys)) {
      if (key == "requirements")
        for (auto& [rkey, rvalue] : reader_.entries(value, requirement_keys)) put(default_requirements_, rkey, rvalue);
      else if (key == "env")
        for (auto& [ekey, evalue] : reader_.entries(value)) put(default_env_, ekey, evalue);
      else
        put(default_fields_, key, value);
    }
  }

  void expand_entry(const located_node& item, std::size_t index) {
    // Fields inside a task are named relative to it ("requirements.min_memory_gb"); the line locates it.
    if (!item.node.IsMap()) reader_.fail(item, "a task must be a mapping of fields");
    const located_node task_node{item.node, "", item.line};
    const entry_list own = reader_.entries(task_node, task_keys);

    entry_list fields = default_fields_;
    entry_list requirements = default_requirements_;
    entry_list env = default_env_;
    const located_node* matrix = nullptr;
    for (const auto& [key, value] : own) {
      if (key == "requirements")
        for (auto& [rkey, rvalue] : reader_.entries(value, requirement_keys)) put(requirements, rkey, rvalue);
      else if (key == "env")
        for (auto& [ekey, evalue] : reader_.entries(value)) put(env, ekey, evalue);
      else if (key == "matrix")
        matrix = &value;
      else
        put(fields, key, value);
    }

    if (!matrix && expanded_.size() >= options_.max_tasks)
      reader_.fail(task_node, "the suite has more than " + std::to_string(options_.max_tasks) +
                                  " tasks, the limit (change it with --max-tasks N)");
    const std::vector<entry_list> combinations = matrix ? expand_matrix(*matrix, own) : std::vector<entry_list>{{}};
    const auto shared_env = std::make_shared<const entry_list>(std::move(env));
    if (combinations.size() > 1) expanded_.reserve(expanded_.size() + combinations.size());  // no doubling for a big matrix
    for (const auto& combination : combinations) {
      expanded_task expanded;
      expanded.fields = fields;
      expanded.env = shared_env;
      expanded.entry_index = index;
      expanded.line = item.line;
      for (const auto& [key, value] : combination) {
        expanded.placeholders[key] = reader_.text(value);
        if (contains(matrix_field_keys, key)) put(expanded.fields, key, value);
        if (key != "model" && key != "batch_size") expanded.id_suffixes.push_back(reader_.text(value));
      }
      read_fields(expanded, requirements);
      // Up to max_tasks of these wait for assign_ids(): keep only what it and finish() read.
      std::erase_if(expanded.fields, [](const auto& entry) {
        return entry.first != "id" && entry.first != "command" && entry.first != "working_directory";
      });
      expanded.fields.shrink_to_fit();
      expanded_.push_back(std::move(expanded));
    }
  }

  /// Cartesian product in written order (the last key varies fastest), then
  /// `exclude` drops matching combinations and `include` extends matching ones
  /// or adds new ones, as CI matrices do.
  std::vector<entry_list> expand_matrix(const located_node& matrix, const entry_list& task_fields) {
    if (matrix.node.IsMap() && matrix.node.size() == 0) reader_.fail(matrix, "the matrix is empty");
    std::vector<std::pair<std::string, std::vector<located_node>>> axes;
    const located_node* include = nullptr;
    const located_node* exclude = nullptr;
    const entry_list entries = reader_.entries(matrix);
    for (const auto& [key, value] : entries) {
      if (key == "include") {
        include = &value;
        continue;
      }
      if (key == "exclude") {
        exclude = &value;
        continue;
      }
      check_matrix_key(key, value, task_fields);
      if (value.node.IsSequence() && value.node.size() == 0) reader_.fail(value, "a matrix key needs at least one value");
      std::vector<located_node> values = reader_.items(value);
      for (const auto& v : values) (void)reader_.text(v);  // scalars only
      axes.emplace_back(key, std::move(values));
    }
    if (axes.empty() && !include) reader_.fail(matrix, "the matrix has no keys with values");
    check_combination_count(matrix, axes, include ? include->node.size() : 0);

    std::vector<entry_list> combinations;
    if (!axes.empty()) combinations.emplace_back();
    for (const auto& [key, values] : axes) {
      std::vector<entry_list> next;
      for (const auto& partial : combinations)
        for (const auto& value : values) {
          entry_list extended = partial;
          extended.emplace_back(key, value);
          next.push_back(std::move(extended));
        }
      combinations = std::move(next);
    }
    const auto is_axis = [&](const std::string& key) {
      return std::any_of(axes.begin(), axes.end(), [&](const auto& axis) { return axis.first == key; });
    };
    const auto matches = [&](const entry_list& combination, const entry_list& pattern, bool axes_only) {
      for (const auto& [key, value] : pattern) {
        if (axes_only && !is_axis(key)) continue;
        const located_node* have = find(combination, key);
        if (!have || reader_.text(*have) != reader_.text(value)) return false;
      }
      return true;
    };
    check_rule_comparisons(matrix, combinations.size(), include ? include->node.size() : 0,
                           exclude ? exclude->node.size() : 0);
    if (exclude) {
      for (const auto& rule_node : reader_.items(*exclude)) {
        const entry_list rule = reader_.entries(rule_node);
        for (const auto& [key, value] : rule) {
          if (!is_axis(key)) reader_.fail(value, "exclude names " + quoted_value(key) + ", which is not a matrix key");
          (void)reader_.text(value);
        }
        std::erase_if(combinations, [&](const entry_list& c) { return matches(c, rule, false); });
      }
    }
    const std::size_t original_count = combinations.size();
    if (include) {
      for (const auto& rule_node : reader_.items(*include)) {
        const entry_list rule = reader_.entries(rule_node);
        if (rule.empty()) reader_.fail(rule_node, "an include entry needs at least one key");
        for (const auto& [key, value] : rule) {
          if (!is_axis(key)) check_matrix_key(key, value, task_fields);
          (void)reader_.text(value);
        }
        bool extended_any = false;
        for (std::size_t i = 0; i < original_count; ++i) {
          if (!matches(combinations[i], rule, true)) continue;
          for (const auto& [key, value] : rule) put(combinations[i], key, value);
          extended_any = true;
        }
        if (!extended_any) combinations.push_back(rule);
      }
    }
    if (combinations.empty()) reader_.fail(matrix, "the matrix excludes every combination");
    return combinations;
  }

  /// Before expanding anything: a few lines of aliases to one list can ask for
  /// 10^8 combinations, so the product of the axis sizes (with every include
  /// entry, before excludes) must keep the suite within options_.max_tasks.
  template <class Axes>
  void check_combination_count(const located_node& matrix, const Axes& axes, std::size_t include_count) const {
    std::size_t count = axes.empty() ? 0 : 1;
    bool overflow = false;
    std::string product;
    for (const auto& [key, values] : axes) {
      if (__builtin_mul_overflow(count, values.size(), &count)) overflow = true;
      product += (product.empty() ? "" : " x ") + std::to_string(values.size());
    }
    if (__builtin_add_overflow(count, include_count, &count)) overflow = true;
    if (include_count > 0) product += (product.empty() ? "" : " + ") + std::to_string(include_count) + " included";
    const std::size_t before = expanded_.size();
    if (overflow || count > options_.max_tasks || before + count > options_.max_tasks)
      reader_.fail(matrix, "the matrix makes " + (overflow ? std::string{"more than 2^64"} : std::to_string(count)) +
                               " combinations (" + product + ")" +
                               (before > 0 ? " after " + std::to_string(before) + " tasks" : std::string{}) +
                               ", more than the limit of " + std::to_string(options_.max_tasks) +
                               " tasks (change it with --max-tasks N)");
  }

  /// Each include and exclude entry is compared with every combination; aliases
  /// can repeat one entry cheaply, so their work is bounded too.
  void check_rule_comparisons(const located_node& matrix, std::size_t combinations, std::size_t include_count,
                              std::size_t exclude_count) const {
    const std::size_t rules = include_count + exclude_count;
    if (rules > 0 && combinations > max_matrix_rule_comparisons / rules)
      reader_.fail(matrix, "the matrix compares " + std::to_string(rules) + " include/exclude entries with " +
                               std::to_string(combinations) + " combinations, more than the limit of " +
                               std::to_string(max_matrix_rule_comparisons) + " comparisons");
  }

  void check_matrix_key(const std::string& key, const located_node& value, const entry_list& task_fields) {
    if (contains(non_matrix_keys, key)) reader_.fail(value, quoted_value(key) + " cannot be a matrix key");
    if (!is_placeholder_name(key))
      reader_.fail(value, "matrix key " + quoted_value(key) + " is not usable as a {placeholder} (a letter or '_', then letters, "
                          "digits, '_', '-' or '.')");
    if (contains(matrix_field_keys, key) && find(task_fields, key))
      reader_.fail(value, quoted_value(key) + " is set both by the task and by its matrix");
  }

  void read_fields(expanded_task& expanded, const entry_list& requirements) {
    task& t = expanded.value;
    for (const auto& [key, value] : expanded.fields) {
      if (key == "type") {
        const std::string text = reader_.text(value);
        const auto type = parse_task_type(text);
        if (!type) reader_.fail(value, unknown_word("task type", text, task_type_names));
        t.type = *type;
      } else if (key == "priority") {
        t.priority = static_cast<int>(in_range(value, reader_.integer(value), -1000000, 1000000));
      } else if (key == "model") {
        t.model = reader_.non_empty_text(value);
      } else if (key == "batch_size") {
        t.batch_size = static_cast<int>(in_range(value, reader_.integer(value), 1, 1 << 30));
      } else if (key == "timeout") {
        t.timeout_s = read_timeout(value);
      } else if (key == "retries") {
        t.retries = static_cast<int>(in_range(value, reader_.integer(value), 0, 1000));
      }
    }
    t.requirements = read_requirements(requirements);
    {
      const task_requirements& r = t.requirements;
      std::size_t bytes = text_bytes(t.model) + r.hardware.size() + (r.device ? text_bytes(*r.device) : 0);
      for (const auto* list : {&r.gfx_arch, &r.require_device, &r.labels})
        for (const auto& item : *list) bytes += text_bytes(item);
      charge(expanded.line, bytes);
    }
    auto& values = expanded.placeholders;
    values["type"] = std::string(to_string(t.type));
    values["priority"] = std::to_string(t.priority);
    values["timeout"] = number_text(t.timeout_s);
    values["retries"] = std::to_string(t.retries);
    values["suite"] = result_.name;
    if (!t.model.empty()) values["model"] = t.model;
    if (t.batch_size > 0) values["batch_size"] = std::to_string(t.batch_size);
  }

  long long in_range(const located_node& at, long long value, long long low, long long high) const {
    if (value < low) reader_.fail(at, "must be >= " + std::to_string(low) + ", got " + std::to_string(value));
    if (value > high) reader_.fail(at, "must be <= " + std::to_string(high) + ", got " + std::to_string(value));
    return value;
  }

  double read_timeout(const located_node& at) const {
    if (!at.node.IsScalar()) reader_.fail(at, "expected a duration such as 30s, 10m, 1h30m or 250ms");
    const std::string text = at.node.Scalar();
    const auto seconds = parse_duration_s(text);
    if (!seconds) reader_.fail(at, quoted_value(text) + " is not a duration (use e.g. 30s, 10m, 1h30m, 250ms or seconds)");
    if (*seconds <= 0) reader_.fail(at, "must be > 0, got " + message_text(text));
    return *seconds;
  }

  template <std::size_t N>
  static std::string unknown_word(const std::string& what, const std::string& word,
                                  const std::string_view (&known)[N]) {
    std::string message = "unknown " + what + " " + quoted_value(word);
    if (const auto suggestion = closest_name(word, known); !suggestion.empty())
      return message + " (did you mean '" + suggestion + "'?)";
    message += " (expected";
    for (std::size_t i = 0; i < N; ++i) message += (i ? ", " : " ") + std::string(known[i]);
    return message + ")";
  }

  task_requirements read_requirements(const entry_list& entries) const {
    task_requirements r;
    for (const auto& [key, value] : entries) {
      if (key == "hardware") {
        const auto names = reader_.text_list(value);
        for (const auto& name : names) {
          const auto kind = parse_device_kind(name);
          if (!kind) reader_.fail(value, unknown_word("hardware kind", name, device_kind_names));
          if (std::find(r.hardware.begin(), r.hardware.end(), *kind) != r.hardware.end())
            reader_.fail(value, "hardware kind " + quoted_value(name) + " is listed twice");
          r.hardware.push_back(*kind);
        }
      } else if (key == "min_memory_gb") {
        r.min_memory_gb = reader_.number(value);
        if (r.min_memory_gb < 0) reader_.fail(value, "must be >= 0, got " + message_text(reader_.text(value)));
      } else if (key == "min_cuda_compute") {
        r.min_cuda_compute = reader_.number(value);
        if (*r.min_cuda_compute <= 0) reader_.fail(value, "must be > 0, got " + message_text(reader_.text(value)));
      } else if (key == "gfx_arch") {
        r.gfx_arch = reader_.text_list(value);
      } else if (key == "device") {
        r.device = reader_.non_empty_text(value);
      } else if (key == "require_device") {
        r.require_device = reader_.text_list(value);
      } else if (key == "labels") {
        r.labels = reader_.text_list(value);
      } else if (key == "min_cores") {
        r.min_cores = static_cast<int>(in_range(value, reader_.integer(value), 0, 1 << 30));
      }
    }
    return r;
  }

  std::string substitute(const located_node& at, std::string_view text,
                         const std::map<std::string, std::string>& values) const {
    try {
      return substitute_placeholders(text, values);
    } catch (const placeholder_error& e) {
      reader_.fail(at, e.what());
    }
  }

  /// Written ids (or id templates) first, so that a generated id never takes
  /// a name the file spells out; generated ids then get -2, -3... when taken.
  void assign_ids() {
    std::map<std::string, int> written_at;  // id -> line
    for (auto& expanded : expanded_) {
      const located_node* id_node = find(expanded.fields, "id");
      if (!id_node) continue;
      std::string id = substitute(*id_node, reader_.non_empty_text(*id_node), expanded.placeholders);
      check_id(*id_node, id);
      if (const auto [first, inserted] = written_at.emplace(id, id_node->line); !inserted)
        reader_.fail(*id_node, "duplicate id " + quoted_value(id) + " (first defined at " + reader_.file() + ":" +
                                   std::to_string(first->second) + ")");
      expanded.value.id = std::move(id);
    }
    std::set<std::string> taken;
    for (const auto& [id, line] : written_at) taken.insert(id);
    for (auto& expanded : expanded_) {
      if (!expanded.value.id.empty()) continue;
      std::string base = expanded.value.model.empty() ? id_word(result_.name) + "-" + std::to_string(expanded.entry_index + 1)
                                                      : id_word(expanded.value.model);
      if (base.empty() || base.front() == '-') base = "task" + base;
      if (expanded.value.batch_size > 0) base += "-b" + std::to_string(expanded.value.batch_size);
      for (const auto& suffix : expanded.id_suffixes)
        if (const auto word = id_word(suffix); !word.empty()) base += "-" + word;
      std::string id = base;
      for (int n = 2; taken.count(id); ++n) id = base + "-" + std::to_string(n);
      taken.insert(id);
      expanded.value.id = std::move(id);
    }
  }

  void check_id(const located_node& at, const std::string& id) const {
    for (const char c : id)
      if (c == '/' || static_cast<unsigned char>(c) <= ' ')
        reader_.fail(at, "id " + quoted_value(id) + " must not contain spaces, control characters or '/'");
  }

  void finish(expanded_task& expanded) {
    task& t = expanded.value;
    expanded.placeholders["id"] = t.id;
    const auto& values = expanded.placeholders;
    t.origin = reader_.file() + ":" + std::to_string(expanded.line);
    if (const located_node* command = find(expanded.fields, "command")) {
      if (command->node.IsScalar()) {
        std::vector<std::string> words;
        try {
          words = split_command_line(reader_.text(*command));
        } catch (const std::invalid_argument& e) {
          reader_.fail(*command, std::string("cannot split the command: ") + e.what());
        }
        if (words.empty()) reader_.fail(*command, "must not be empty");
        for (const auto& word : words) t.command.push_back(substitute(*command, word, values));
      } else {
        for (const auto& item : reader_.items(*command)) t.command.push_back(substitute(item, reader_.text(item), values));
      }
    }
    for (const auto& [name, value] : *expanded.env) {
      if (name.empty() || name.find('=') != std::string::npos)
        reader_.fail(value, quoted_value(name) + " is not a valid environment variable name");
      t.env[name] = substitute(value, reader_.text(value), values);
    }
    if (const located_node* directory = find(expanded.fields, "working_directory"))
      t.working_directory = substitute(*directory, reader_.non_empty_text(*directory), values);
    std::size_t bytes = text_bytes(t.id) + text_bytes(t.working_directory) + text_bytes(t.origin);
    for (const auto& word : t.command) bytes += text_bytes(word);
    for (const auto& [name, value] : t.env) bytes += text_bytes(name) + text_bytes(value);
    charge(expanded.line, bytes);
  }

  static std::size_t text_bytes(const std::string& text) { return sizeof(std::string) + text.size(); }

  /// Aliases let a small file repeat one long list in every task of a matrix:
  /// the text all tasks hold together is bounded, checked as it is made.
  void charge(int line, std::size_t bytes) {
    task_bytes_ += bytes;
    if (task_bytes_ > options_.max_task_text_bytes)
      reader_.fail({YAML::Node{}, "", line}, "the suite's tasks hold more than " +
                                                 std::to_string(options_.max_task_text_bytes) +
                                                 " bytes of text (a long list repeated by aliases or a matrix?)");
  }

  input_reader reader_;
  suite_options options_;
  std::size_t task_bytes_ = 0;
  suite result_;
  entry_list default_fields_;
  entry_list default_requirements_;
  entry_list default_env_;
  std::vector<expanded_task> expanded_;
};

} // namespace

suite parse_suite_text(std::string_view text, std::string file_name, suite_format format, const suite_options& options) {
  const YAML::Node document = load_input_document(text, file_name, format);
  return suite_builder(std::move(file_name), options).build(document);
}

suite parse_suite_file(const std::filesystem::path& path, const suite_options& options) {
  const std::string text = read_input_file(path, options.max_input_bytes);
  return parse_suite_text(text, path.string(), detect_input_format(path, text), options);
}

} // namespace dtf
