// The dlopen'ed GPU probes against stand-in driver libraries (tests/hw/fakes):
// what they read, how they merge with hwloc's view, and how they fail.
#include "hw/amd_sysfs_probe.hpp"
#include "hw/cuda_driver_probe.hpp"
#include "hw/gpu_from_topology.hpp"
#include "hw/gpu_merge.hpp"
#include "hw/hip_probe.hpp"
#include "hw/locality.hpp"
#include "hw/probe.hpp"
#include "hw_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

using dtf::device_kind;
using dtf::hw::testing::fake_library;
using dtf::hw::testing::scoped_env;
using dtf::hw::testing::fake_tree;

namespace {

void write_mi300x_sysfs(const fake_tree& sys) {
  sys.write("class/kfd/kfd/topology/nodes/0/properties", "cpu_cores_count 64\nsimd_count 0\ngfx_target_version 0\n");
  sys.write("class/kfd/kfd/topology/nodes/1/properties",
            "cpu_cores_count 0\nsimd_count 1216\nsimd_per_cu 4\ngfx_target_version 90402\nlocation_id 49408\ndomain 0\n");
  sys.write("bus/pci/devices/0000:c1:00.0/mem_info_vram_total", "206141652992\n");
}

} // namespace

TEST(cuda_driver_probe, absent_library_means_no_gpus_and_no_warning) {
  const auto result = dtf::hw::probe_cuda_driver("libdtf-no-such-driver.so.1");
  EXPECT_TRUE(result.gpus.empty());
  EXPECT_FALSE(result.warning);
}

TEST(cuda_driver_probe, reads_name_memory_compute_capability_sms_and_bus_id_of_each_device) {
  const auto result = dtf::hw::probe_cuda_driver(fake_library("fake_cuda"));
  ASSERT_FALSE(result.warning) << *result.warning;
  ASSERT_EQ(result.gpus.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto& gpu = result.gpus[static_cast<std::size_t>(i)];
    EXPECT_EQ(gpu.kind, device_kind::cuda);
    EXPECT_EQ(gpu.name, "NVIDIA H200");
    EXPECT_EQ(gpu.memory_bytes, 150754820096ull);
    ASSERT_TRUE(gpu.compute_capability);
    EXPECT_DOUBLE_EQ(*gpu.compute_capability, 9.0);
    EXPECT_EQ(gpu.cores, 132);
    EXPECT_EQ(gpu.device_index, i);
    EXPECT_EQ(gpu.pci_bus_id, i == 0 ? "0000:17:00.0" : "0000:b1:00.0");
  }
}

TEST(cuda_driver_probe, driver_without_devices_is_silent) {
  const scoped_env no_device{"DTF_FAKE_CUDA_INIT_RESULT", "100"};
  const auto result = dtf::hw::probe_cuda_driver(fake_library("fake_cuda"));
  EXPECT_TRUE(result.gpus.empty());
  EXPECT_FALSE(result.warning);
}

TEST(cuda_driver_probe, failing_driver_says_so_once_with_the_error) {
  const scoped_env failing{"DTF_FAKE_CUDA_INIT_RESULT", "999"};
  const auto result = dtf::hw::probe_cuda_driver(fake_library("fake_cuda"));
  EXPECT_TRUE(result.gpus.empty());
  ASSERT_TRUE(result.warning);
  EXPECT_NE(result.warning->find("cuInit failed with CUDA error 999 (unknown error)"), std::string::npos) << *result.warning;
  EXPECT_NE(result.warning->find("libdtf_fake_cuda.so"), std::string::npos);
}

TEST(cuda_driver_probe, library_that_is_not_a_cuda_driver_gives_a_warning) {
  const auto result = dtf::hw::probe_cuda_driver(fake_library("fake_unrelated"));
  EXPECT_TRUE(result.gpus.empty());
  ASSERT_TRUE(result.warning);
  EXPECT_NE(result.warning->find("lacks the CUDA driver API"), std::string::npos);
}

TEST(gpu_merge, driver_gpus_take_hwloc_backends_and_locality_of_the_same_bus_id) {
  const auto topo = dtf::hw::topology::load_xml(dtf::hw::testing::own_fixture("nvidia-2pkg-4xa100.xml"));
  auto driver = dtf::hw::probe_cuda_driver(fake_library("fake_cuda")).gpus;
  const auto merged = dtf::hw::merge_gpu_records(topo, driver, dtf::hw::gpus_from_topology(topo));
  ASSERT_EQ(merged.size(), 4u);  // 2 seen by both, 2 only by hwloc
  auto at = [&](const std::string& bus) {
    return *std::find_if(merged.begin(), merged.end(), [&](const auto& w) { return w.pci_bus_id == bus; });
  };
  const auto first = at("0000:17:00.0");
  EXPECT_EQ(first.name, "NVIDIA H200");  // the driver's figures win
  EXPECT_EQ(first.cores, 132);
  EXPECT_EQ(first.cpuset, "0-15");
  EXPECT_EQ(first.numa_nodes, std::vector<int>{0});
  EXPECT_EQ(first.backends, (std::vector<std::string>{"cuda", "nvml", "opencl"}));
  EXPECT_EQ(first.host, "gpu-node-a");
  const auto second = at("0000:b1:00.0");
  EXPECT_EQ(second.cpuset, "16-31");
  EXPECT_EQ(second.device_index, 1);
  EXPECT_EQ(at("0000:65:00.0").name, "NVIDIA A100-SXM4-40GB");
  std::vector<std::string> ids;
  for (const auto& w : merged) ids.push_back(w.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"cuda0", "cuda1", "cuda2", "cuda3"}));
}

TEST(hip_probe, reads_name_memory_bus_id_and_takes_arch_and_compute_units_from_sysfs) {
  const fake_tree sys{"sys"};
  write_mi300x_sysfs(sys);
  const auto result = dtf::hw::probe_hip(fake_library("fake_hip"), sys.path());
  ASSERT_FALSE(result.warning) << *result.warning;
  ASSERT_EQ(result.gpus.size(), 1u);
  const auto& gpu = result.gpus[0];
  EXPECT_EQ(gpu.kind, device_kind::rocm);
  EXPECT_EQ(gpu.name, "AMD Instinct MI300X");
  EXPECT_EQ(gpu.memory_bytes, 206141652992ull);
  EXPECT_EQ(gpu.pci_bus_id, "0000:c1:00.0");
  EXPECT_EQ(gpu.arch, "gfx942");
  EXPECT_EQ(gpu.cores, 304);
  EXPECT_EQ(gpu.device_index, 0);
  EXPECT_EQ(gpu.backends, (std::vector<std::string>{"hip", "sysfs"}));
}

TEST(hip_probe, absent_library_means_no_gpus_and_no_warning) {
  const auto result = dtf::hw::probe_hip("libdtf-no-such-hip.so");
  EXPECT_TRUE(result.gpus.empty());
  EXPECT_FALSE(result.warning);
}

TEST(hip_probe, runtime_installed_on_a_machine_without_amd_gpu_is_silent) {
  for (const char* no_gpu : {"100", "101"}) {  // hipErrorNoDevice; ROCm 5's hipInit says hipErrorInvalidDevice
    const scoped_env init_result{"DTF_FAKE_HIP_INIT_RESULT", no_gpu};
    const auto result = dtf::hw::probe_hip(fake_library("fake_hip"));
    EXPECT_TRUE(result.gpus.empty());
    EXPECT_FALSE(result.warning) << *result.warning;
  }
  const scoped_env failing{"DTF_FAKE_HIP_INIT_RESULT", "999"};
  const auto result = dtf::hw::probe_hip(fake_library("fake_hip"));
  ASSERT_TRUE(result.warning);
  EXPECT_NE(result.warning->find("hipInit failed with HIP error 999"), std::string::npos) << *result.warning;
}

TEST(hip_probe, library_that_is_not_hip_gives_a_warning) {
  const auto result = dtf::hw::probe_hip(fake_library("fake_unrelated"));
  ASSERT_TRUE(result.warning);
  EXPECT_NE(result.warning->find("lacks the HIP device API"), std::string::npos);
}

TEST(probe_workers, live_probe_lists_cpu_workers_then_driver_gpus_in_id_order) {
  dtf::hw::probe_options options;
  options.libraries.cuda = fake_library("fake_cuda");
  options.libraries.hip = fake_library("fake_hip");
  options.libraries.nvml = fake_library("fake_nvml");
  std::vector<std::string> warnings;
  const auto workers = dtf::hw::probe_workers(options, &warnings);
  EXPECT_TRUE(warnings.empty());
  std::vector<std::string> gpu_ids;
  bool cpu_seen_after_gpu = false;
  for (const auto& w : workers) {
    if (w.kind != device_kind::cpu) gpu_ids.push_back(w.id);
    else cpu_seen_after_gpu = cpu_seen_after_gpu || !gpu_ids.empty();
  }
  EXPECT_FALSE(cpu_seen_after_gpu);
  ASSERT_EQ(gpu_ids, (std::vector<std::string>{"cuda0", "cuda1", "rocm0"}));
  // NVML knows only the first GPU, and reports an active link on it.
  const auto& cuda0 = workers[workers.size() - 3];
  EXPECT_EQ(cuda0.labels, std::vector<std::string>{"nvlink"});
  EXPECT_EQ(cuda0.backends, (std::vector<std::string>{"cuda", "nvml"}));
  EXPECT_TRUE(workers[workers.size() - 2].labels.empty());
}

TEST(probe_workers, a_failing_library_is_reported_once_and_the_cpu_workers_remain) {
  dtf::hw::probe_options options;
  options.libraries.cuda = fake_library("fake_unrelated");
  options.libraries.hip = "libdtf-no-such-hip.so";
  std::vector<std::string> warnings;
  const auto workers = dtf::hw::probe_workers(options, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("libdtf_fake_unrelated.so"), std::string::npos);
  ASSERT_FALSE(workers.empty());
  for (const auto& w : workers) EXPECT_EQ(w.kind, device_kind::cpu);
}

TEST(amd_sysfs, gfx_target_versions_spell_like_the_compiler_targets) {
  EXPECT_EQ(dtf::hw::gfx_arch_from_target_version(90010), "gfx90a");
  EXPECT_EQ(dtf::hw::gfx_arch_from_target_version(90402), "gfx942");
  EXPECT_EQ(dtf::hw::gfx_arch_from_target_version(90008), "gfx908");
  EXPECT_EQ(dtf::hw::gfx_arch_from_target_version(110000), "gfx1100");
  EXPECT_EQ(dtf::hw::gfx_arch_from_target_version(100300), "gfx1030");
}

TEST(hip_probe, without_kfd_sysfs_the_arch_comes_from_the_model_name) {
  const fake_tree empty_sys{"empty-sys"};
  const auto result = dtf::hw::probe_hip(fake_library("fake_hip"), empty_sys.path());
  ASSERT_EQ(result.gpus.size(), 1u);
  EXPECT_EQ(result.gpus[0].arch, "gfx942");
  EXPECT_EQ(result.gpus[0].cores, 0);  // unknown without sysfs or HIP headers
  EXPECT_EQ(result.gpus[0].backends, std::vector<std::string>{"hip"});
}

TEST(locality, gpu_missing_from_the_topology_takes_the_kernels_local_cpulist_and_numa_node) {
  const fake_tree sys{"locality-sys"};
  sys.write("bus/pci/devices/0000:b1:00.0/local_cpulist", "16-31\n");
  sys.write("bus/pci/devices/0000:b1:00.0/numa_node", "1\n");
  const auto topo = dtf::hw::topology::load_synthetic("package:2 numa:1(memory=1GiB) core:8 pu:2");
  dtf::worker_capability gpu;
  gpu.pci_bus_id = "0000:B1:00.0";
  ASSERT_TRUE(dtf::hw::attach_locality_from_sysfs(topo, gpu, sys.path()));
  EXPECT_EQ(gpu.cpuset, "16-31");
  EXPECT_EQ(gpu.numa_nodes, std::vector<int>{1});
  gpu = {};
  gpu.pci_bus_id = "0000:17:00.0";  // the kernel says nothing and there are two NUMA nodes
  EXPECT_FALSE(dtf::hw::attach_locality_from_sysfs(topo, gpu, sys.path()));
  EXPECT_TRUE(gpu.cpuset.empty());
}

TEST(locality, on_a_single_numa_machine_every_core_is_near_a_gpu_the_kernel_does_not_place) {
  const fake_tree sys{"locality-one-node"};
  const auto topo = dtf::hw::topology::load_synthetic("package:1 numa:1(memory=1GiB) core:4 pu:1");
  dtf::worker_capability gpu;
  gpu.pci_bus_id = "0000:17:00.0";
  ASSERT_TRUE(dtf::hw::attach_locality_from_sysfs(topo, gpu, sys.path()));
  EXPECT_EQ(gpu.cpuset, "0-3");
  EXPECT_EQ(gpu.numa_nodes, std::vector<int>{0});
}
