#pragma once
// An hwloc topology owned RAII-style: this machine, an XML file (another
// machine, for planning and tests) or a synthetic description (property tests).
// I/O objects (PCI devices, OS devices) are kept so that GPUs can be found and
// placed; set before loading because hwloc drops them by default.
#include <hwloc.h>

#include <string>

namespace dtf::hw {

class topology {
public:
  /// The machine this process runs on, freshly loaded. Throws
  /// std::runtime_error if hwloc fails.
  static topology load_this_machine();
  /// The machine this process runs on, loaded once per process and never
  /// destroyed: reloading rescans PCI, and hwloc unloads its plugins with the
  /// last topology, leaving libpciaccess's allocations unreachable (leaks
  /// under LeakSanitizer). Read-only use from several threads is safe.
  static const topology& this_machine();
  /// An `lstopo --of xml` file. Throws dtf::input_error naming the file.
  static topology load_xml(const std::string& path);
  /// hwloc's synthetic syntax, e.g. "package:2 numa:2 core:4 pu:2". Throws
  /// std::invalid_argument for a description hwloc rejects.
  static topology load_synthetic(const std::string& description);

  topology(topology&& other) noexcept;
  topology& operator=(topology&& other) noexcept;
  topology(const topology&) = delete;
  topology& operator=(const topology&) = delete;
  ~topology();

  hwloc_topology_t get() const { return topo_; }
  /// True when the topology describes the machine this process runs on (so
  /// binding and live metrics make sense).
  bool is_this_system() const { return this_system_; }
  /// The host name recorded in the topology ("HostName" info), or this
  /// machine's name for a live topology; empty when unknown.
  std::string host_name() const;

private:
  topology(hwloc_topology_t topo, bool this_system) : topo_(topo), this_system_(this_system) {}
  hwloc_topology_t topo_ = nullptr;
  bool this_system_ = false;
};

/// hwloc bitmap as a list string, "0-3,8,10-11" (empty bitmap: "").
std::string to_list_string(hwloc_const_bitmap_t set);

} // namespace dtf::hw
