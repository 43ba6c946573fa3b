#include "scheduler/input/input_document.hpp"

#include "scheduler/input/located_json.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

namespace dtf {

namespace {

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Scalar:
      return (node.Tag() == "!" ? "string \"" : "'") + message_text(node.Scalar()) + (node.Tag() == "!" ? "\"" : "'");
  }
  return "nothing";
}

/// Optimal string alignment distance: a swap of two neighbours ("cdua") counts once.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

input_format detect_input_format(const std::filesystem::path& path, std::string_view text) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".json") return input_format::json;
  if (extension == ".yaml" || extension == ".yml") return input_format::yaml;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) return input_format::json;
  return input_format::yaml;
}

YAML::Node load_input_document(std::string_view text, const std::string& file_name, input_format format) {
  if (format == input_format::json) {
    // nlohmann checks strict JSON syntax (yaml-cpp would accept more); the
    // tree itself comes from yaml-cpp below so that values keep their lines.
    check_json_document(text, file_name);
  }
  try {
    YAML::Node document = YAML::Load(std::string(text));
    if (!document || document.IsNull())
      throw input_error(file_name, 1, "", "the document is empty");
    return document;
  } catch (const YAML::Exception& e) {
    // JSON passed nlohmann's check above: what yaml-cpp refuses then is its own
    // limit (a key longer than 1024 bytes), not a syntax error.
    throw input_error(file_name, e.mark.is_null() ? 0 : e.mark.line + 1, "",
                      std::string(format == input_format::json ? "unsupported JSON (keys are limited to 1024 bytes): "
                                                               : "invalid YAML: ") + e.msg);
  }
}

std::string closest_name(std::string_view word, std::span<const std::string_view> candidates) {
  // Edit distance costs length x length: a megabyte key is no typo of a known one.
  if (word.size() > max_suggestion_bytes) return {};
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto candidate : candidates) {  // first best wins: candidates are in a fixed order
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

void input_reader::fail(const located_node& at, const std::string& message) const {
  throw input_error(file_, at.line, at.field, message);
}

located_node input_reader::root(const YAML::Node& document) const {
  located_node root{document, "", std::max(1, line_of(document))};
  if (!document.IsMap()) fail(root, "the document must be a mapping of keys to values, got " + describe(document));
  return root;
}

std::vector<std::pair<std::string, located_node>> input_reader::entries(
    const located_node& map, std::span<const std::string_view> known_keys) const {
  auto result = entries(map);
  for (const auto& [key, value] : result) {
    if (std::find(known_keys.begin(), known_keys.end(), key) != known_keys.end()) continue;
    std::string message = "unknown key " + quoted_value(key);
    if (const auto suggestion = closest_name(key, known_keys); !suggestion.empty())
      message += " (did you mean '" + suggestion + "'?)";
    else {
      message += " (known keys:";
      for (const auto known : known_keys) message += " " + std::string(known);
      message += ")";
    }
    fail(value, message);
  }
  return result;
}

std::vector<std::pair<std::string, located_node>> input_reader::entries(const located_node& map) const {
  if (!map.node.IsMap()) fail(map, "expected a mapping, got " + describe(map.node));
  std::vector<std::pair<std::string, located_node>> result;
  std::map<std::string, int> first_line;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    const int key_line = line_of(it->first);
    const std::string prefix = map.field.empty() ? "" : map.field + ".";
    if (!it->first.IsScalar()) fail({it->first, map.field, key_line}, "keys must be plain names");
    const std::string key = it->first.Scalar();
    if (const auto bad = invalid_utf8_at(key))
      fail({it->first, map.field, key_line}, "invalid UTF-8 in the key " + quoted_value(key) + " (byte " +
                                                 std::to_string(*bad + 1) + " of the key)");
    located_node value{it->second, prefix + key, key_line};
    if (const auto [seen, inserted] = first_line.emplace(key, key_line); !inserted)
      fail(value, "duplicate key " + quoted_value(key) + " (first at line " + std::to_string(seen->second) + ")");
    result.emplace_back(key, std::move(value));
  }
  return result;
}

std::vector<located_node> input_reader::items(const located_node& sequence, bool allow_empty) const {
  if (!sequence.node.IsSequence()) fail(sequence, "expected a list, got " + describe(sequence.node));
  if (!allow_empty && sequence.node.size() == 0) fail(sequence, "must not be empty");
  std::vector<located_node> result;
  std::size_t index = 0;
  for (const auto& item : sequence.node) {
    const int line = line_of(item);
    result.push_back({item, sequence.field + "[" + std::to_string(index++) + "]", line > 0 ? line : sequence.line});
  }
  return result;
}

std::string input_reader::text(const located_node& at) const {
  if (!at.node.IsScalar()) fail(at, "expected a string, got " + describe(at.node));
  // Checked here, where every string leaves the document: nothing downstream
  // (JSON output, journal, messages) then meets bytes that are not text.
  const std::string& value = at.node.Scalar();
  if (const auto bad = invalid_utf8_at(value))
    fail(at, "invalid UTF-8 in " + quoted_value(value) + " (byte " + std::to_string(*bad + 1) + " of the value)");
  return value;
}

std::string input_reader::non_empty_text(const located_node& at) const {
  std::string value = text(at);
  if (value.empty()) fail(at, "must not be empty");
  return value;
}

double input_reader::number(const located_node& at) const {
  if (!at.node.IsScalar() || at.node.Tag() == "!") fail(at, "expected a number, got " + describe(at.node));
  const std::string& written = at.node.Scalar();
  double value = 0.0;
  const char* begin = written.data() + (written.starts_with('+') ? 1 : 0);
  const auto [end, error] = std::from_chars(begin, written.data() + written.size(), value);
  if (error == std::errc::result_out_of_range && end == written.data() + written.size())
    fail(at, "number out of range: " + describe(at.node));
  if (error != std::errc{} || end != written.data() + written.size() || !std::isfinite(value))
    fail(at, "expected a number, got " + describe(at.node));
  return value;
}

long long input_reader::integer(const located_node& at) const {
  if (!at.node.IsScalar() || at.node.Tag() == "!") fail(at, "expected an integer, got " + describe(at.node));
  const std::string& written = at.node.Scalar();
  long long value = 0;
  const char* begin = written.data() + (written.starts_with('+') ? 1 : 0);
  const auto [end, error] = std::from_chars(begin, written.data() + written.size(), value);
  if (error == std::errc::result_out_of_range && end == written.data() + written.size())
    fail(at, "number out of range: " + describe(at.node));
  if (error != std::errc{} || end != written.data() + written.size())
    fail(at, "expected an integer, got " + describe(at.node));
  return value;
}

std::vector<std::string> input_reader::text_list(const located_node& at) const {
  std::vector<std::string> result;
  if (at.node.IsScalar()) {
    result.push_back(non_empty_text(at));
    return result;
  }
  for (const auto& item : items(at)) result.push_back(non_empty_text(item));
  return result;
}

} // namespace dtf
