// `dtf probe`: the workers this machine (or an hwloc XML topology) offers.
#include "hw/metrics_sampler.hpp"
#include "hw/probe.hpp"
#include "scheduler/input/input_error.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

namespace dtf::app {
namespace {

constexpr const char* probe_usage =
    "usage: dtf probe [--topology FILE.xml] [--by package|numa] [--metrics] [--json]\n"
    "  --topology FILE.xml  describe the machine in an hwloc XML file (lstopo --of xml) instead of this one\n"
    "  --by package|numa    one CPU worker per package (default) or per NUMA node\n"
    "  --metrics            also sample live metrics (utilization, memory used, temperature, power)\n"
    "  --json               print {\"workers\":[...],\"notes\":[...]} instead of a table\n"
    "Notes say what the probe could not tell and did not guess (a GPU partition mode not read).\n";

nlohmann::json worker_json(const worker_capability& w) {
  using nlohmann::json;
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json out;
  out["id"] = w.id;
  out["kind"] = std::string{to_string(w.kind)};
  out["name"] = w.name;
  out["memory_bytes"] = w.memory_bytes;
  out["compute_capability"] = w.compute_capability ? json(*w.compute_capability) : json(nullptr);
  out["arch"] = text_or_null(w.arch);
  out["cores"] = w.cores > 0 ? json(w.cores) : json(nullptr);
  out["pus"] = w.pus > 0 ? json(w.pus) : json(nullptr);
  out["cpuset"] = text_or_null(w.cpuset);
  out["numa_nodes"] = w.numa_nodes.empty() ? json(nullptr) : json(w.numa_nodes);
  out["pci_bus_id"] = text_or_null(w.pci_bus_id);
  out["device_index"] = w.device_index >= 0 ? json(w.device_index) : json(nullptr);
  out["visible_device"] = text_or_null(w.visible_device);
  out["slots"] = w.slots > 0 ? json(w.slots) : json(nullptr);  // null: the scheduler's default
  out["host"] = text_or_null(w.host);
  out["labels"] = w.labels.empty() ? json(nullptr) : json(w.labels);
  out["backends"] = w.backends.empty() ? json(nullptr) : json(w.backends);
  return out;
}

nlohmann::json metrics_json(const worker_metrics& m) {
  using nlohmann::json;
  auto number = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return json{{"utilization", number(m.utilization)},
              {"memory_used_bytes", m.memory_used_bytes ? json(*m.memory_used_bytes) : json(nullptr)},
              {"temperature_c", number(m.temperature_c)},
              {"power_w", number(m.power_w)},
              {"power_limit_w", number(m.power_limit_w)}};
}

// Two samples a quarter second apart, so CPU utilization is recent rather
// than since boot (GPU backends report current values either way).
std::vector<worker_metrics> sample_metrics(const std::vector<worker_capability>& workers, std::vector<std::string>& warnings) {
  hw::metrics_sampler sampler;
  for (const auto& w : workers) sampler.sample(w);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  std::vector<worker_metrics> out;
  for (const auto& w : workers) out.push_back(sampler.sample(w));
  warnings.insert(warnings.end(), sampler.warnings().begin(), sampler.warnings().end());
  return out;
}

std::string metrics_text(const worker_metrics& m) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0);
  if (m.utilization) out << *m.utilization * 100 << "% busy";
  if (m.memory_used_bytes) out << (out.tellp() > 0 ? ", " : "") << std::setprecision(1)
                               << static_cast<double>(*m.memory_used_bytes) / bytes_per_gb << " GiB used" << std::setprecision(0);
  if (m.temperature_c) out << (out.tellp() > 0 ? ", " : "") << *m.temperature_c << " C";
  if (m.power_w) out << (out.tellp() > 0 ? ", " : "") << *m.power_w << " W";
  if (m.power_limit_w) out << " of " << *m.power_limit_w << " W";
  return out.tellp() > 0 ? out.str() : "-";
}

std::string memory_text(std::uint64_t bytes) {
  if (bytes == 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f GiB", static_cast<double>(bytes) / bytes_per_gb);
  return buffer;
}

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out.empty() ? "-" : out;
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out.empty() ? "-" : out;
}

void print_table(std::ostream& out, const std::vector<worker_capability>& workers,
                 const std::vector<worker_metrics>& metrics) {
  std::vector<std::vector<std::string>> rows{{"ID", "KIND", "NAME", "MEMORY", "CC/ARCH", "CORES", "PUS", "CPUSET", "NUMA", "PCI", "LABELS"}};
  if (!metrics.empty()) rows.front().push_back("METRICS");
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const worker_capability& w = workers[i];
    std::string cc_arch = "-";
    if (w.compute_capability) {
      std::ostringstream cc;
      cc << std::fixed << std::setprecision(1) << *w.compute_capability;
      cc_arch = cc.str();
    } else if (!w.arch.empty()) {
      cc_arch = w.arch;
    }
    rows.push_back({w.id, std::string{to_string(w.kind)}, w.name, memory_text(w.memory_bytes), cc_arch,
                    w.cores > 0 ? std::to_string(w.cores) : "-", w.pus > 0 ? std::to_string(w.pus) : "-",
                    w.cpuset.empty() ? "-" : w.cpuset, join(w.numa_nodes), w.pci_bus_id.empty() ? "-" : w.pci_bus_id, join(w.labels)});
    if (!metrics.empty()) rows.back().push_back(metrics_text(metrics[i]));
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

} // namespace

int probe_command(int argc, char** argv) {
  hw::probe_options options;
  bool json_output = false;
  bool with_metrics = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << probe_usage;
      return 0;
    } else if (arg == "--json") {
      json_output = true;
    } else if (arg == "--metrics") {
      with_metrics = true;
    } else if (arg == "--topology" && i + 1 < argc) {
      options.topology_xml = argv[++i];
    } else if (arg == "--by" && i + 1 < argc) {
      const std::string by = argv[++i];
      if (by != "numa" && by != "package") {
        std::cerr << "dtf probe: --by takes 'package' or 'numa', not '" << by << "'\n";
        return 2;
      }
      options.by_numa = by == "numa";
    } else {
      std::cerr << "dtf probe: unexpected argument '" << arg << "' (see dtf probe --help)\n";
      return 2;
    }
  }
  if (with_metrics && options.topology_xml) {
    std::cerr << "dtf probe: --metrics samples this machine; it cannot be combined with --topology\n";
    return 2;
  }
  std::vector<std::string> warnings;
  std::vector<std::string> notes;
  std::vector<worker_capability> workers;
  try {
    workers = hw::probe_workers(options, &warnings, &notes);
  } catch (const input_error& e) {
    std::cerr << "dtf probe: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dtf probe: " << e.what() << "\n";
    return 1;
  }
  const std::vector<worker_metrics> metrics = with_metrics ? sample_metrics(workers, warnings) : std::vector<worker_metrics>{};
  for (const auto& warning : warnings) std::cerr << "dtf probe: warning: " << warning << "\n";
  if (json_output) {
    nlohmann::json out;
    out["workers"] = nlohmann::json::array();
    for (std::size_t i = 0; i < workers.size(); ++i) {
      out["workers"].push_back(worker_json(workers[i]));
      if (with_metrics) out["workers"].back()["metrics"] = metrics_json(metrics[i]);
    }
    out["notes"] = notes;
    std::cout << out.dump(2) << "\n";
  } else {
    print_table(std::cout, workers, metrics);
    for (const auto& note : notes) std::cout << "note: " << note << "\n";
  }
  return 0;
}

} // namespace dtf::app
