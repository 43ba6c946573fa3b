// Property: on any synthetic machine, CPU workers partition the PUs exactly
// and their memory sums to the machine's, per package and per NUMA node, with
// NUMA nodes below or above packages and memory sizes that do not divide evenly.
#include "hw/cpu_probe.hpp"
#include "hw/hwloc_bitmap.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

using dtf::hw::bitmap;
using dtf::hw::cpu_grouping;

namespace {

bitmap parse(const std::string& list) {
  bitmap set;
  RC_ASSERT(hwloc_bitmap_list_sscanf(set.get(), list.c_str()) == 0);
  return set;
}

void check_partition(const dtf::hw::topology& topo, cpu_grouping grouping, int expected_workers) {
  const auto workers = dtf::hw::probe_cpu_workers(topo, grouping);
  RC_ASSERT(static_cast<int>(workers.size()) == expected_workers);
  bitmap covered;
  std::uint64_t memory = 0;
  int pus = 0;
  for (const auto& w : workers) {
    const bitmap set = parse(w.cpuset);
    RC_ASSERT(!set.empty());
    RC_ASSERT(!hwloc_bitmap_intersects(set.get(), covered.get()));  // never overlap
    RC_ASSERT(hwloc_bitmap_weight(set.get()) == w.pus);
    covered.or_with(set.get());
    memory += w.memory_bytes;
    pus += w.pus;
    RC_ASSERT(!w.numa_nodes.empty());
  }
  RC_ASSERT(hwloc_bitmap_isequal(covered.get(), hwloc_topology_get_topology_cpuset(topo.get())));  // cover all
  RC_ASSERT(pus == hwloc_get_nbobjs_by_type(topo.get(), HWLOC_OBJ_PU));
  RC_ASSERT(memory == hwloc_get_root_obj(topo.get())->total_memory);
}

} // namespace

RC_GTEST_PROP(cpu_partition, workers_partition_pus_and_share_all_memory_in_both_modes, ()) {
  const int packages = *rc::gen::inRange(1, 5);
  const int numa = *rc::gen::inRange(1, 4);
  const int cores = *rc::gen::inRange(1, 5);
  const int threads = *rc::gen::inRange(1, 3);
  const auto memory = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << 40);
  const bool numa_above_packages = *rc::gen::arbitrary<bool>();
  const std::string numa_level = "numa:" + std::to_string(numa) + "(memory=" + std::to_string(memory) + ")";
  const std::string package_level = "package:" + std::to_string(packages);
  const std::string description = (numa_above_packages ? numa_level + " " + package_level : package_level + " " + numa_level) +
                                  " core:" + std::to_string(cores) + " pu:" + std::to_string(threads);
  RC_TAG(numa_above_packages);
  const auto topo = dtf::hw::topology::load_synthetic(description);
  // "numa:N package:P" has N nodes and N*P packages; "package:P numa:N" the reverse.
  check_partition(topo, cpu_grouping::package, numa_above_packages ? numa * packages : packages);
  check_partition(topo, cpu_grouping::numa, numa_above_packages ? numa : numa * packages);
}
