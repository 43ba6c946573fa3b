#pragma once
// Reading user-written YAML and JSON documents (suites, fleets) with line
// numbers: both formats become a yaml-cpp node tree (JSON is YAML's flow
// syntax, after its own syntax check), and `input_reader` gives typed access
// that throws dtf::input_error naming file, line and field.
#include "scheduler/input/input_error.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dtf {

enum class input_format { yaml, json };

/// From the extension (.json -> json, .yaml/.yml -> yaml); otherwise sniffed:
/// text starting with '{' or '[' (after blanks) is JSON, anything else YAML.
input_format detect_input_format(const std::filesystem::path& path, std::string_view text);



/// Parses the text; syntax errors become input_error with the line.
YAML::Node load_input_document(std::string_view text, const std::string& file_name, input_format format);

/// A value in a document, with the field path used in error messages
/// ("requirements.min_memory_gb", "command[2]") and its 1-based line (0: unknown).
struct located_node {
  YAML::Node node;
  std::string field;
  int line = 0;

  located_node() = default;
  located_node(YAML::Node node_in, std::string field_in, int line_in)
    : node(std::move(node_in)), field(std::move(field_in)), line(line_in) {}
  located_node(const located_node&) = default;
  // YAML::Node's operator= writes through to the shared node (it would change
  // the document); assigning a located_node rebinds it instead.
  located_node& operator=(const located_node& other) {
    node.reset(other.node);
    field = other.field;
    line = other.line;
    return *this;
  }
};

/// Closest candidate to `word` by edit distance when it is plausibly a typo;
/// empty otherwise, and for words longer than max_suggestion_bytes.
std::string closest_name(std::string_view word, std::span<const std::string_view> candidates);

/// Typed access to a document; every failure throws input_error(file, line, field, ...).
class input_reader {
public:
  explicit input_reader(std::string file_name) : file_(std::move(file_name)) {}

  const std::string& file() const { return file_; }
  [[noreturn]] void fail(const located_node& at, const std::string& message) const;

  /// The document root as a located node (must be a mapping).
  located_node root(const YAML::Node& document) const;
  /// Entries of a mapping in written order. Rejects non-mappings, duplicate keys,
  /// and keys not in `known_keys` (suggesting the closest one).
  std::vector<std::pair<std::string, located_node>> entries(const located_node& map,
                                                            std::span<const std::string_view> known_keys) const;
  /// Entries of a mapping with free-form keys (env maps); rejects duplicates.
  std::vector<std::pair<std::string, located_node>> entries(const located_node& map) const;
  /// Items of a sequence; `allow_empty` false rejects [].
  std::vector<located_node> items(const located_node& sequence, bool allow_empty = false) const;

  /// Any scalar as text (numbers keep their written spelling); rejects invalid UTF-8.
  std::string text(const located_node& at) const;
  /// A non-empty scalar.
  std::string non_empty_text(const located_node& at) const;
  /// An unquoted finite number.
  double number(const located_node& at) const;
  /// An unquoted integer.
  long long integer(const located_node& at) const;
  /// A scalar or a sequence of scalars, as texts (each non-empty).
  std::vector<std::string> text_list(const located_node& at) const;

private:
  std::string file_;
};

} // namespace dtf
