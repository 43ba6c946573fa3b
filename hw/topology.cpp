#include "hw/topology.hpp"

#include "scheduler/input/input_error.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <unistd.h>

namespace dtf::hw {
namespace {

struct topology_deleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using topology_ptr = std::unique_ptr<hwloc_topology, topology_deleter>;

topology_ptr init_with_io() {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw std::runtime_error("hwloc: cannot initialise a topology");
  topology_ptr topo{raw};
  // Keep every PCI bridge, PCI device and OS device: GPUs are found through them.
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_ALL);
  return topo;
}

} // namespace

topology topology::load_this_machine() {
  auto topo = init_with_io();
  if (hwloc_topology_load(topo.get()) != 0)
    throw std::runtime_error(std::string{"hwloc: cannot load this machine's topology: "} + std::strerror(errno));
  return topology{topo.release(), true};
}

const topology& topology::this_machine() {
  static const topology* const loaded = new topology(load_this_machine());  // intentionally never freed
  return *loaded;
}

topology topology::load_xml(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw input_error(path, 0, "", "no such hwloc XML topology file");
  auto topo = init_with_io();
  if (hwloc_topology_set_xml(topo.get(), path.c_str()) != 0)
    throw input_error(path, 0, "", std::string{"not a readable hwloc XML topology ("} + std::strerror(errno) + ")");
  if (hwloc_topology_load(topo.get()) != 0)
    throw input_error(path, 0, "", std::string{"hwloc cannot load this XML topology ("} + std::strerror(errno) + ")");
  return topology{topo.release(), false};
}

topology topology::load_synthetic(const std::string& description) {
  auto topo = init_with_io();
  if (hwloc_topology_set_synthetic(topo.get(), description.c_str()) != 0)
    throw std::invalid_argument("hwloc rejects the synthetic topology '" + description + "'");
  if (hwloc_topology_load(topo.get()) != 0)
    throw std::invalid_argument("hwloc cannot load the synthetic topology '" + description + "'");
  return topology{topo.release(), false};
}

topology::topology(topology&& other) noexcept : topo_(other.topo_), this_system_(other.this_system_) {
  other.topo_ = nullptr;
}

topology& topology::operator=(topology&& other) noexcept {
  if (this != &other) {
    if (topo_) hwloc_topology_destroy(topo_);
    topo_ = other.topo_;
    this_system_ = other.this_system_;
    other.topo_ = nullptr;
  }
  return *this;
}

topology::~topology() {
  if (topo_) hwloc_topology_destroy(topo_);
}

std::string topology::host_name() const {
  hwloc_obj_t root = hwloc_get_root_obj(topo_);
  if (const char* name = hwloc_obj_get_info_by_name(root, "HostName")) return name;
  if (this_system_) {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) == 0) return buffer;
  }
  return {};
}

std::string to_list_string(hwloc_const_bitmap_t set) {
  if (hwloc_bitmap_iszero(set)) return {};
  char* text = nullptr;
  if (hwloc_bitmap_list_asprintf(&text, set) < 0 || !text) return {};
  std::string out{text};
  std::free(text);
  return out;
}

} // namespace dtf::hw
