// `dtf report RESULTS.jsonl --html OUT.html`: the HTML report (summary,
// tables, timeline of which task ran where) from a results JSON Lines file.
#include "actors/output/html_report.hpp"
#include "actors/output/results_jsonl_reader.hpp"
#include "scheduler/input/input_error.hpp"

#include <iostream>
#include <optional>
#include <string>

namespace dtf::app {
namespace {

constexpr const char* report_usage =
    "usage: dtf report RESULTS.jsonl --html OUT.html [--title TEXT]\n"
    "  RESULTS.jsonl   results written by dtf run --results (one attempt per line)\n"
    "  --html OUT.html write a self-contained HTML report: summary, workers, tasks, timeline\n"
    "  --title TEXT    the report's title (default: the results file name)\n";

} // namespace

int report_command(int argc, char** argv) {
  std::optional<std::string> results_path, html_path, title;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << report_usage;
      return 0;
    } else if (arg == "--html" && i + 1 < argc) {
      html_path = argv[++i];
    } else if (arg == "--title" && i + 1 < argc) {
      title = argv[++i];
    } else if (!arg.starts_with("-") && !results_path) {
      results_path = arg;
    } else {
      std::cerr << "dtf report: unexpected argument '" << arg << "' (see dtf report --help)\n";
      return 2;
    }
  }
  if (!results_path || !html_path) {
    std::cerr << "dtf report: needs a results file and --html OUT.html (see dtf report --help)\n";
    return 2;
  }
  try {
    const auto attempts = read_results_jsonl(*results_path);
    html_report_options options;
    options.title = title ? *title : "dtf report: " + std::filesystem::path{*results_path}.filename().string();
    write_html_report(*html_path, attempts, options);
    std::cout << "wrote " << *html_path << " (" << attempts.size() << " attempts)\n";
  } catch (const input_error& e) {
    std::cerr << "dtf report: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dtf report: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

} // namespace dtf::app
