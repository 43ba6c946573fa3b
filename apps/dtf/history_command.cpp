// `dtf history`: what the journal has learned so far: runs, tasks by status,
// per (model, device) mean durations and the recorded predictions' accuracy.
#include "actors/journal/sqlite_journal.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/input/utf8_text.hpp"
#include "scheduler/output/stats_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

namespace dtf::app {
namespace {

constexpr const char* history_usage =
    "usage: dtf history [--journal FILE] [--json]\n"
    "  --journal FILE  the journal to read (default: $DTF_JOURNAL, else $XDG_STATE_HOME/dtf/journal.sqlite,\n"
    "                  else ~/.local/state/dtf/journal.sqlite)\n"
    "  --json          print the summary as one JSON object\n";

std::string utc_text(double unix_s) {
  // A journal edited outside dtf may hold any number here; converting one
  // past time_t is undefined.
  if (!(unix_s >= 0.0 && unix_s <= max_unix_seconds)) return "(time out of range)";
  const auto seconds = static_cast<std::time_t>(unix_s);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &parts);
  return buffer;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

nlohmann::ordered_json summary_json(const std::filesystem::path& file, const journal_summary& s) {
  nlohmann::ordered_json out;
  out["journal"] = file.string();
  auto& runs = out["runs"] = nlohmann::ordered_json::array();
  for (const auto& r : s.runs)
    runs.push_back({{"id", r.id}, {"suite", r.suite}, {"started", r.started_unix_s},
                    {"finished", r.finished_unix_s ? nlohmann::ordered_json(*r.finished_unix_s) : nullptr},
                    {"status", r.status}});
  auto& by_status = out["tasks_by_status"] = nlohmann::ordered_json::object();
  for (const auto& c : s.tasks_by_status) by_status[c.status] = c.count;
  out["attempts"] = s.attempts;
  out["workers"] = s.workers;
  out["workers_lost"] = s.workers_lost;
  out["history_rows"] = s.history_rows;
  out["history_rows_out_of_range"] = s.skipped_history.count;
  auto& by_model = out["by_model_device"] = nlohmann::ordered_json::array();
  for (const auto& m : s.by_model_device)
    by_model.push_back({{"model", m.model}, {"device", m.device_name}, {"kind", m.device_kind}, {"clock", m.clock},
                        {"attempts", m.runs},
                        {"succeeded", m.succeeded}, {"mean_duration_s", m.mean_duration_s}});
  out["predictions"] = to_json(s.predictions);
  return out;
}

/// Text from the journal file, which anything may have written: escaped and cut.
std::string cell(const std::string& text) { return text.empty() ? "-" : message_text(text); }

/// JSON whose strings came from the journal: bytes that are not UTF-8 become U+FFFD.
std::string json_text(const nlohmann::ordered_json& value) {
  return value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Left-aligned columns, two spaces apart.
void print_columns(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = "  ";
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 < row.size() ? row[c] + std::string(width[c] - row[c].size() + 2, ' ') : row[c];
    out << line << "\n";
  }
}

void print_summary(std::ostream& out, const std::filesystem::path& file, const journal_summary& s) {
  out << "journal " << message_text(file.string(), 1024) << "\n";
  out << "runs: " << s.runs.size() << (s.runs.empty() ? "\n" : " (newest first)\n");
  std::vector<std::vector<std::string>> runs;
  for (const auto& r : s.runs)
    runs.push_back({"#" + std::to_string(r.id), cell(r.suite), utc_text(r.started_unix_s) + " UTC", cell(r.status)});
  print_columns(out, runs);
  std::string statuses;
  for (const auto& c : s.tasks_by_status) statuses += (statuses.empty() ? "" : ", ") + cell(c.status) + " " + std::to_string(c.count);
  out << "tasks: " << (statuses.empty() ? "none" : statuses) << "\n";
  out << "attempts: " << s.attempts << ", workers: " << s.workers << " (" << s.workers_lost
      << " lost), history rows: " << s.history_rows << "\n";
  if (s.skipped_history.count > 0) out << "warning: " << message_text(skipped_text(s.skipped_history), 1024) << "\n";
  const auto& p = s.predictions;
  if (p.from_history > 0)
    out << "prediction error: " << p.from_history << " predictions from history, median |ln(predicted/actual)| "
        << fixed(p.median_abs_log_ratio, 3) << " (a factor of " << fixed(std::exp(p.median_abs_log_ratio), 2)
        << "), mean abs error " << fixed(p.mean_abs_error_s, 3) << " s, mean |predicted - actual| / actual "
        << fixed(p.mape, 2) << ", rank correlation with the durations "
        << (p.rank_correlation ? fixed(*p.rank_correlation, 2) : std::string{"n/a"});
  else
    out << "prediction error: no predictions from history yet";
  out << "; " << p.defaults << " results without one (default estimates)\n";
  if (s.by_model_device.empty()) return;
  out << "mean duration per model, device and clock (successful attempts):\n";
  std::vector<std::vector<std::string>> rows{{"MODEL", "DEVICE", "KIND", "CLOCK", "ATTEMPTS", "OK", "MEAN_S"}};
  for (const auto& m : s.by_model_device)
    rows.push_back({cell(m.model), cell(m.device_name), cell(m.device_kind), cell(m.clock),
                    std::to_string(m.runs), std::to_string(m.succeeded),
                    m.succeeded > 0 ? fixed(m.mean_duration_s, 3) : "-"});
  print_columns(out, rows);
}

} // namespace

int history_command(int argc, char** argv) {
  std::optional<std::filesystem::path> explicit_file;
  bool json_output = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << history_usage;
      return 0;
    } else if (arg == "--json") {
      json_output = true;
    } else if (arg == "--journal" && i + 1 < argc) {
      explicit_file = argv[++i];
    } else {
      std::cerr << "dtf history: unexpected argument '" << arg << "' (see dtf history --help)\n";
      return 2;
    }
  }
  const auto file = explicit_file ? *explicit_file : sqlite_journal::default_path();
  std::error_code ec;
  if (!explicit_file && !std::filesystem::exists(file, ec)) {
    // No journal yet is not an error: nothing has run with the default journal.
    if (json_output) std::cout << json_text(summary_json(file, {})) << "\n";
    else std::cout << "journal " << file.string() << ": none yet (dtf run records one)\n";
    return 0;
  }
  try {
    journal_options options;
    options.read_only = true;
    const auto summary = [&] {
      try {
        return sqlite_journal{file, options}.summary();
      } catch (const journal_needs_migration&) {
        // Written by an older dtf: migrated once (as dtf run would), then read.
        { sqlite_journal migrate{file}; }
        return sqlite_journal{file, options}.summary();
      }
    }();
    if (json_output) std::cout << json_text(summary_json(file, summary)) << "\n";
    else print_summary(std::cout, file, summary);
  } catch (const journal_error& e) {
    std::cerr << "dtf history: " << message_text(e.what(), 1024) << "\n";
    return 2;
  } catch (const std::exception& e) {  // whatever else a damaged journal file may cause
    std::cerr << "dtf history: journal " << quoted_value(file.string()) << ": " << message_text(e.what(), 1024) << "\n";
    return 2;
  }
  return 0;
}

} // namespace dtf::app
