#pragma once
// A self-contained HTML report of a run (no scripts, no external files): a
// summary, per-worker and per-task tables, and an SVG timeline of which task
// ran where (one lane per worker, bars coloured by status, a tooltip per bar
// with task id, attempt, status and duration). One clock: wall seconds, with
// the modeled seconds of emulated attempts in a labelled column; utilization
// is slot_utilization(); prediction error counts only predictions made from
// history. The document is well-formed XML (polyglot XHTML), so XML tools can
// read it too.
#include "scheduler/model/attempt_record.hpp"

#include <filesystem>
#include <span>
#include <string>

namespace dtf {

struct html_report_options {
  std::string title = "dtf run report";
};

std::string render_html_report(std::span<const attempt_record> attempts, const html_report_options& options = {});

/// Throws std::runtime_error naming the path when it cannot be written.
void write_html_report(const std::filesystem::path& path, std::span<const attempt_record> attempts,
                       const html_report_options& options = {});

} // namespace dtf
