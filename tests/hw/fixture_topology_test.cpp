// The project's own hwloc XML fixtures (tests/fixtures/hwloc, written by
// tests/fixtures/hwloc/generate): exact workers, memory, locality and merges.
#include "hw/gpu_model_table.hpp"
#include "hw/probe.hpp"
#include "hw_test_support.hpp"
#include "scheduler/input/input_error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using dtf::device_kind;
using dtf::worker_capability;
using dtf::hw::testing::own_fixture;

namespace {

std::vector<worker_capability> probe_file(const std::string& name, bool by_numa = false) {
  dtf::hw::probe_options options;
  options.topology_xml = own_fixture(name);
  options.by_numa = by_numa;
  std::vector<std::string> warnings;
  auto workers = dtf::hw::probe_workers(options, &warnings);
  EXPECT_TRUE(warnings.empty());
  return workers;
}

std::vector<std::string> ids(const std::vector<worker_capability>& workers) {
  std::vector<std::string> out;
  for (const auto& w : workers) out.push_back(w.id);
  return out;
}

constexpr std::uint64_t gib = 1ull << 30;

} // namespace

TEST(own_fixtures, two_package_nvidia_machine_gives_one_cpu_worker_per_package_and_one_worker_per_gpu) {
  const auto workers = probe_file("nvidia-2pkg-4xa100.xml");
  ASSERT_EQ(ids(workers), (std::vector<std::string>{"cpu-pkg0", "cpu-pkg1", "cuda0", "cuda1", "cuda2", "cuda3"}));
  for (int p = 0; p < 2; ++p) {
    const auto& cpu = workers[static_cast<std::size_t>(p)];
    EXPECT_EQ(cpu.kind, device_kind::cpu);
    EXPECT_EQ(cpu.name, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
    EXPECT_EQ(cpu.cores, 8);
    EXPECT_EQ(cpu.pus, 16);
    EXPECT_EQ(cpu.memory_bytes, 256 * gib);
    EXPECT_EQ(cpu.cpuset, p == 0 ? "0-15" : "16-31");
    EXPECT_EQ(cpu.numa_nodes, std::vector<int>{p});
    EXPECT_EQ(cpu.host, "gpu-node-a");
    EXPECT_FALSE(cpu.compute_capability);
  }
}

TEST(own_fixtures, gpu_seen_by_cuda_nvml_and_opencl_is_one_worker_with_cuda_figures) {
  const auto workers = probe_file("nvidia-2pkg-4xa100.xml");
  ASSERT_EQ(workers.size(), 6u);
  const std::vector<std::string> buses{"0000:17:00.0", "0000:65:00.0", "0000:b1:00.0", "0000:ca:00.0"};
  for (int i = 0; i < 4; ++i) {
    const auto& gpu = workers[static_cast<std::size_t>(2 + i)];
    EXPECT_EQ(gpu.kind, device_kind::cuda);
    EXPECT_EQ(gpu.name, "NVIDIA A100-SXM4-40GB");
    EXPECT_EQ(gpu.memory_bytes, 41508864ull * 1024);  // CUDAGlobalMemorySize is in KiB
    ASSERT_TRUE(gpu.compute_capability);
    EXPECT_DOUBLE_EQ(*gpu.compute_capability, 8.0);
    EXPECT_EQ(gpu.cores, 108);
    EXPECT_EQ(gpu.pci_bus_id, buses[static_cast<std::size_t>(i)]);
    EXPECT_EQ(gpu.device_index, i);
    EXPECT_EQ(gpu.cpuset, i < 2 ? "0-15" : "16-31");
    EXPECT_EQ(gpu.numa_nodes, std::vector<int>{i < 2 ? 0 : 1});
    EXPECT_EQ(gpu.backends, i == 0 ? (std::vector<std::string>{"cuda", "nvml", "opencl"})
                                   : (std::vector<std::string>{"cuda", "nvml"}));
    EXPECT_TRUE(gpu.labels.empty());  // the fixture has no NVLink matrix
  }
}

TEST(own_fixtures, amd_rsmi_devices_become_rocm_workers_named_in_rsmi_order_near_their_numa_node) {
  const auto workers = probe_file("amd-1pkg-2numa-4xmi210.xml");
  ASSERT_EQ(ids(workers), (std::vector<std::string>{"cpu-pkg0", "rocm0", "rocm1", "rocm2", "rocm3"}));
  EXPECT_EQ(workers[0].name, "AMD EPYC 7543 32-Core Processor");
  EXPECT_EQ(workers[0].cores, 16);
  EXPECT_EQ(workers[0].pus, 32);
  EXPECT_EQ(workers[0].memory_bytes, 256 * gib);
  EXPECT_EQ(workers[0].numa_nodes, (std::vector<int>{0, 1}));
  const std::vector<std::string> buses{"0000:c1:00.0", "0000:c5:00.0", "0000:81:00.0", "0000:85:00.0"};
  for (int i = 0; i < 4; ++i) {
    const auto& gpu = workers[static_cast<std::size_t>(1 + i)];
    EXPECT_EQ(gpu.kind, device_kind::rocm);
    EXPECT_EQ(gpu.name, "AMD Instinct MI210");
    EXPECT_EQ(gpu.memory_bytes, 67092480ull * 1024);  // RSMIVRAMSize is in KiB
    EXPECT_EQ(gpu.arch, "gfx90a");
    EXPECT_FALSE(gpu.compute_capability);
    EXPECT_EQ(gpu.device_index, i);
    EXPECT_EQ(gpu.pci_bus_id, buses[static_cast<std::size_t>(i)]);
    EXPECT_EQ(gpu.cpuset, i < 2 ? "0-15" : "16-31");
    EXPECT_EQ(gpu.numa_nodes, std::vector<int>{i < 2 ? 0 : 1});
    EXPECT_EQ(gpu.backends, std::vector<std::string>{"rsmi"});
    EXPECT_EQ(gpu.labels, i < 2 ? std::vector<std::string>{"xgmi"} : std::vector<std::string>{});  // one XGMI pair
    EXPECT_EQ(gpu.host, "gpu-node-b");
  }
}

TEST(own_fixtures, amd_machine_by_numa_gives_one_cpu_worker_per_numa_node) {
  const auto workers = probe_file("amd-1pkg-2numa-4xmi210.xml", true);
  ASSERT_EQ(workers.size(), 6u);
  EXPECT_EQ(workers[0].id, "cpu-numa0");
  EXPECT_EQ(workers[0].cpuset, "0-15");
  EXPECT_EQ(workers[0].memory_bytes, 128 * gib);
  EXPECT_EQ(workers[1].id, "cpu-numa1");
  EXPECT_EQ(workers[1].cpuset, "16-31");
  EXPECT_EQ(workers[1].numa_nodes, std::vector<int>{1});
  EXPECT_EQ(workers[1].cores, 8);
}

TEST(own_fixtures, machine_level_cxl_memory_is_shared_over_packages) {
  const auto workers = probe_file("cpu-2pkg-4numa-cxl.xml");
  ASSERT_EQ(ids(workers), (std::vector<std::string>{"cpu-pkg0", "cpu-pkg1"}));
  EXPECT_EQ(workers[0].memory_bytes, 192 * gib);  // 2 x 64 GiB local + half of the 128 GiB CXL node
  EXPECT_EQ(workers[1].memory_bytes, 192 * gib);
  EXPECT_EQ(workers[0].numa_nodes, (std::vector<int>{0, 1, 4}));
  EXPECT_EQ(workers[1].numa_nodes, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(workers[0].cpuset, "0-15");
  EXPECT_EQ(workers[1].cpuset, "16-31");
  EXPECT_EQ(workers[0].name, "AMD EPYC 9334 32-Core Processor");
}

TEST(own_fixtures, cpu_only_machine_by_numa_skips_the_cpu_less_node_but_shares_its_memory) {
  const auto workers = probe_file("cpu-2pkg-4numa-cxl.xml", true);
  ASSERT_EQ(ids(workers), (std::vector<std::string>{"cpu-numa0", "cpu-numa1", "cpu-numa2", "cpu-numa3"}));
  for (int n = 0; n < 4; ++n) {
    const auto& w = workers[static_cast<std::size_t>(n)];
    EXPECT_EQ(w.memory_bytes, 96 * gib);
    EXPECT_EQ(w.cores, 4);
    EXPECT_EQ(w.pus, 8);
    EXPECT_EQ(w.cpuset, std::to_string(8 * n) + "-" + std::to_string(8 * n + 7));
    EXPECT_EQ(w.numa_nodes, (std::vector<int>{n, 4}));
  }
}

TEST(own_fixtures, missing_topology_file_is_an_input_error_naming_the_file) {
  dtf::hw::probe_options options;
  options.topology_xml = own_fixture("no-such-machine.xml");
  try {
    dtf::hw::probe_workers(options);
    FAIL() << "expected an input_error";
  } catch (const dtf::input_error& e) {
    EXPECT_EQ(e.file(), *options.topology_xml);
    EXPECT_NE(std::string{e.what()}.find("no-such-machine.xml"), std::string::npos);
  }
}

TEST(own_fixtures, a_file_that_is_not_hwloc_xml_is_an_input_error) {
  dtf::hw::probe_options options;
  options.topology_xml = own_fixture("generate");
  EXPECT_THROW(dtf::hw::probe_workers(options), dtf::input_error);
}

TEST(gpu_model_table, knows_compute_capability_arch_and_memory_from_model_names) {
  EXPECT_EQ(dtf::hw::compute_capability_from_model("NVIDIA A100-SXM4-80GB"), 8.0);
  EXPECT_EQ(dtf::hw::compute_capability_from_model("NVIDIA A10"), 8.6);
  EXPECT_EQ(dtf::hw::compute_capability_from_model("NVIDIA L40S"), 8.9);
  EXPECT_EQ(dtf::hw::compute_capability_from_model("NVIDIA H200"), 9.0);
  EXPECT_FALSE(dtf::hw::compute_capability_from_model("Some Future GPU"));
  EXPECT_EQ(dtf::hw::gfx_arch_from_model("AMD Instinct MI250X"), "gfx90a");
  EXPECT_EQ(dtf::hw::gfx_arch_from_model("Unknown AMD"), "");
  EXPECT_EQ(dtf::hw::memory_bytes_from_model("Tesla V100-SXM3-32GB-H"), 32ull << 30);
  EXPECT_FALSE(dtf::hw::memory_bytes_from_model("Tesla K40m"));
}
