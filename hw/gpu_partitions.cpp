#include "hw/gpu_partitions.hpp"

#include "hw/gpu_model_table.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

namespace dtf::hw {
namespace {

constexpr std::string_view label_prefix = "partition:";

bool has_label(const worker_capability& w, std::string_view label) {
  return std::find(w.labels.begin(), w.labels.end(), label) != w.labels.end();
}

void add_label(worker_capability& w, const std::string& label) {
  if (!has_label(w, label)) w.labels.push_back(label);
}

std::optional<std::string> read_mode(const worker_capability& w) {
  for (const auto& label : w.labels)
    if (label.starts_with(label_prefix)) return label.substr(label_prefix.size());
  return std::nullopt;
}

// AMD names the modes by partitions per device: SPX 1, DPX 2, TPX 3, QPX 4,
// CPX one per XCD. With the XCD count unknown, 4 partitions may be CPX of a
// 4-XCD part, so nothing is deduced.
std::optional<std::string> mode_from_count(std::size_t partitions, int xcds) {
  if (xcds <= 0) return std::nullopt;
  if (partitions == static_cast<std::size_t>(xcds)) return "cpx";
  switch (partitions) {
    case 2: return "dpx";
    case 3: return "tpx";
    case 4: return "qpx";
    default: return std::nullopt;
  }
}

std::uint64_t numa_memory_bytes(const topology& topo, const std::vector<int>& nodes) {
  std::uint64_t total = 0;
  for (int node : nodes)
    if (hwloc_obj_t numa = hwloc_get_numanode_obj_by_os_index(topo.get(), static_cast<unsigned>(node)))
      total += numa->attr->numanode.local_memory;
  return total;
}

void describe_group(const topology& topo, std::vector<worker_capability*>& group, std::vector<std::string>* notes) {
  const std::size_t n = group.size();
  const worker_capability& first = *group.front();
  const auto facts = amd_model_from_name(first.name);
  const bool apu = (facts && facts->apu) || has_label(first, "apu");
  std::optional<std::string> mode = read_mode(first);
  if (n > 1 && !mode) {
    const std::string who = first.id + "-" + group.back()->id + " (" + std::to_string(n) +
                            " partitions of the device at " + first.pci_bus_id + ")";
    mode = mode_from_count(n, facts ? facts->xcds : 0);
    if (notes) {
      if (mode)
        notes->push_back(who + ": partition mode not read (the source does not record it); " + *mode + " follows from " +
                         std::to_string(n) + " partitions of a device with " + std::to_string(facts->xcds) + " XCDs");
      else
        notes->push_back(who + ": partition mode not read and not deducible for '" + first.name +
                         "'; no partition label");
    }
  }
  const std::uint64_t apu_memory = apu ? numa_memory_bytes(topo, first.numa_nodes) : 0;
  for (std::size_t k = 0; k < n; ++k) {
    worker_capability& w = *group[k];
    if (n > 1) w.name += " (partition " + std::to_string(k + 1) + " of " + std::to_string(n) + ")";
    if (mode) add_label(w, partition_label(*mode));
    if (w.cores == 0 && facts && facts->compute_units > 0) w.cores = facts->compute_units / static_cast<int>(n);
    if (apu) {
      add_label(w, "apu");
      if (w.memory_bytes == 0) w.memory_bytes = apu_memory / n;
    }
  }
}

} // namespace

std::string partition_label(const std::string& mode) {
  std::string out{label_prefix};
  for (char c : mode)
    if (!std::isspace(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void describe_amd_devices(const topology& topo, std::vector<worker_capability>& gpus, std::vector<std::string>* notes) {
  std::map<std::string, std::vector<worker_capability*>> by_device;  // bus id -> partitions, in id order
  std::vector<std::vector<worker_capability*>> groups;
  for (auto& w : gpus) {
    if (w.kind != device_kind::rocm) continue;
    if (w.pci_bus_id.empty()) groups.push_back({&w});
    else by_device[w.pci_bus_id].push_back(&w);
  }
  for (auto& [bus, group] : by_device) groups.push_back(std::move(group));
  // Notes in id order of each group's first partition ("rocm0" < "rocm6" < "rocm12").
  std::sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) { return a.front() < b.front(); });
  for (auto& group : groups) describe_group(topo, group, notes);
}

} // namespace dtf::hw
