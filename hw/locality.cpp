#include "hw/locality.hpp"

#include "hw/hwloc_bitmap.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace dtf::hw {

std::string pci_bus_id_of(hwloc_obj_t pci) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04x:%02x:%02x.%01x", static_cast<unsigned>(pci->attr->pcidev.domain),
                static_cast<unsigned>(pci->attr->pcidev.bus), static_cast<unsigned>(pci->attr->pcidev.dev),
                static_cast<unsigned>(pci->attr->pcidev.func));
  return buffer;
}

std::string normalize_pci_bus_id(const std::string& text) {
  unsigned domain = 0, bus = 0, dev = 0, func = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%x:%x:%x.%x%c", &domain, &bus, &dev, &func, &tail) != 4) {
    domain = 0;
    if (std::sscanf(text.c_str(), "%x:%x.%x%c", &bus, &dev, &func, &tail) != 3) return {};
  }
  if (bus > 0xff || dev > 0x1f || func > 7 || domain > 0xffff) return {};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04x:%02x:%02x.%01x", domain, bus, dev, func);
  return buffer;
}

void attach_locality(const topology& topo, hwloc_obj_t io_object, worker_capability& gpu) {
  hwloc_obj_t near = hwloc_get_non_io_ancestor_obj(topo.get(), io_object);
  if (!near) return;
  gpu.cpuset = to_list_string(near->cpuset);
  gpu.numa_nodes.clear();
  if (near->nodeset) {
    for (int node = hwloc_bitmap_first(near->nodeset); node >= 0; node = hwloc_bitmap_next(near->nodeset, node))
      gpu.numa_nodes.push_back(node);
  }
}

bool attach_locality(const topology& topo, worker_capability& gpu) {
  const std::string bus_id = normalize_pci_bus_id(gpu.pci_bus_id);
  if (bus_id.empty()) return false;
  hwloc_obj_t pci = hwloc_get_pcidev_by_busidstring(topo.get(), bus_id.c_str());
  if (!pci) return false;
  attach_locality(topo, pci, gpu);
  return true;
}

bool attach_locality_from_sysfs(const topology& topo, worker_capability& gpu, const std::string& sys_root) {
  const std::string bus_id = normalize_pci_bus_id(gpu.pci_bus_id);
  hwloc_const_bitmap_t machine = hwloc_topology_get_topology_cpuset(topo.get());
  bitmap near;
  int node = -1;
  if (!bus_id.empty()) {
    const std::string device = sys_root + "/bus/pci/devices/" + bus_id;
    std::string list;
    if (std::ifstream(device + "/local_cpulist") >> list) {
      bitmap parsed;
      if (hwloc_bitmap_list_sscanf(parsed.get(), list.c_str()) == 0) near = parsed;
      near.and_with(machine);
    }
    std::ifstream(device + "/numa_node") >> node;
  }
  if (near.empty() && hwloc_get_nbobjs_by_type(topo.get(), HWLOC_OBJ_NUMANODE) == 1) {
    near = bitmap{machine};
    node = static_cast<int>(hwloc_get_obj_by_type(topo.get(), HWLOC_OBJ_NUMANODE, 0)->os_index);
  }
  if (near.empty()) return false;
  gpu.cpuset = to_list_string(near.get());
  gpu.numa_nodes.clear();
  if (node >= 0) gpu.numa_nodes.push_back(node);
  return true;
}

} // namespace dtf::hw
