#pragma once
// Suites (YAML or JSON) -> tasks: `defaults` merged under each task, `matrix`
// expanded like CI matrices (cartesian product in written order, with optional
// include/exclude), `{placeholder}` substitution, generated ids, sequence and
// origin assigned in file order. Every error is a dtf::input_error naming the
// file, the line and the field.
#include "scheduler/input/input_document.hpp"
#include "scheduler/model/task.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dtf {

using suite_format = input_format;

struct suite {
  std::string name;
  std::vector<task> tasks;  // in file order; task.sequence = index
};

struct suite_options {
  /// Tasks after matrix expansion; a matrix is checked before it is expanded
  /// (the product of its axis sizes plus its include entries, before excludes).
  std::size_t max_tasks = default_max_suite_tasks;
  std::size_t max_input_bytes = default_max_input_bytes;
  /// Text all tasks hold together (ids, commands, env, requirement lists).
  std::size_t max_task_text_bytes = max_suite_task_bytes;
};

/// Format from the extension (.yaml/.yml/.json), otherwise sniffed from the text.
suite parse_suite_file(const std::filesystem::path& path, const suite_options& options = {});
/// `file_name` is only used in error messages and task origins.
suite parse_suite_text(std::string_view text, std::string file_name, suite_format format,
                       const suite_options& options = {});

} // namespace dtf
