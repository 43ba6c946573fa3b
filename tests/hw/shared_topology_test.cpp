// Real machines' topologies from ../shared/fixtures/hwloc (hwloc's test
// suite); skipped with a message when a clone has no ../shared.
#include "hw/probe.hpp"
#include "hw_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using dtf::device_kind;
using dtf::worker_capability;

namespace {

std::vector<worker_capability> probe_shared(const std::string& name, bool by_numa = false) {
  dtf::hw::probe_options options;
  options.topology_xml = dtf::hw::testing::shared_fixture(name);
  options.by_numa = by_numa;
  return dtf::hw::probe_workers(options);
}

std::vector<worker_capability> of_kind(const std::vector<worker_capability>& workers, device_kind kind) {
  std::vector<worker_capability> out;
  std::copy_if(workers.begin(), workers.end(), std::back_inserter(out), [&](const auto& w) { return w.kind == kind; });
  return out;
}

#define SKIP_WITHOUT_SHARED(name)                                                                        \
  if (dtf::hw::testing::shared_fixture(name).empty())                                                   \
  GTEST_SKIP() << "../shared/fixtures/hwloc/" name " is absent (no ../shared beside this clone); skipped"

} // namespace

TEST(shared_topologies, dgx2_yields_sixteen_v100_workers_with_32_gib_each_near_their_package) {
  SKIP_WITHOUT_SHARED("nvidiaDGX2.xml");
  const auto workers = probe_shared("nvidiaDGX2.xml");
  const auto gpus = of_kind(workers, device_kind::cuda);
  ASSERT_EQ(gpus.size(), 16u);
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    EXPECT_EQ(gpus[i].id, "cuda" + std::to_string(i));
    EXPECT_EQ(gpus[i].name, "Tesla V100-SXM3-32GB-H");
    EXPECT_EQ(gpus[i].memory_bytes, 32ull << 30);  // NVML-only records: from the model name
    ASSERT_TRUE(gpus[i].compute_capability);
    EXPECT_DOUBLE_EQ(*gpus[i].compute_capability, 7.0);
    EXPECT_FALSE(gpus[i].cpuset.empty());
    EXPECT_EQ(gpus[i].cpuset, i < 8 ? "0-1" : "24-25");
    EXPECT_EQ(gpus[i].numa_nodes, std::vector<int>{i < 8 ? 0 : 1});
    EXPECT_EQ(gpus[i].backends, std::vector<std::string>{"nvml"});
    EXPECT_EQ(gpus[i].labels, std::vector<std::string>{"nvlink"});  // linked to the NVSwitches
  }
  EXPECT_EQ(of_kind(workers, device_kind::cpu).size(), 2u);
}

TEST(shared_topologies, power8_yields_four_p100_workers_each_merged_from_cuda_nvml_and_opencl) {
  SKIP_WITHOUT_SHARED("power8gpudistances.xml");
  const auto workers = probe_shared("power8gpudistances.xml");
  const auto gpus = of_kind(workers, device_kind::cuda);
  ASSERT_EQ(gpus.size(), 4u);
  const std::vector<std::string> buses{"0002:01:00.0", "0003:01:00.0", "000a:01:00.0", "000b:01:00.0"};
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    EXPECT_EQ(gpus[i].name, "Tesla P100-SXM2-16GB");
    EXPECT_EQ(gpus[i].memory_bytes, 16671616ull * 1024);
    EXPECT_EQ(gpus[i].cores, 56);
    ASSERT_TRUE(gpus[i].compute_capability);
    EXPECT_DOUBLE_EQ(*gpus[i].compute_capability, 6.0);
    EXPECT_EQ(gpus[i].pci_bus_id, buses[i]);
    EXPECT_FALSE(gpus[i].cpuset.empty());
    EXPECT_EQ(gpus[i].cpuset, i < 2 ? "0-1,8-9,16-17,24-25" : "80-81,88-89,96-97,104-105");
    EXPECT_EQ(gpus[i].backends, (std::vector<std::string>{"cuda", "nvml", "opencl"}));
    EXPECT_EQ(gpus[i].labels, std::vector<std::string>{"nvlink"});
  }
}

TEST(shared_topologies, xeon_with_k40_and_amd_opencl_gpu_yields_one_cuda_and_one_rocm_worker_on_package_1) {
  SKIP_WITHOUT_SHARED("32em64t-2n8c2t-pci-normalio.xml");
  const auto workers = probe_shared("32em64t-2n8c2t-pci-normalio.xml");
  ASSERT_EQ(workers.size(), 4u);
  EXPECT_EQ(workers[0].cpuset, "0-7,16-23");
  EXPECT_EQ(workers[1].cpuset, "8-15,24-31");
  EXPECT_EQ(workers[2].id, "cuda0");
  EXPECT_EQ(workers[2].name, "Tesla K40m");
  EXPECT_EQ(workers[2].cores, 15);
  EXPECT_EQ(workers[2].cpuset, "8-15,24-31");
  EXPECT_EQ(workers[3].id, "rocm0");
  EXPECT_EQ(workers[3].memory_bytes, 3087360ull * 1024);
  EXPECT_EQ(workers[3].numa_nodes, std::vector<int>{1});
}

TEST(shared_topologies, twenty_four_package_machine_partitions_384_pus_in_both_modes) {
  SKIP_WITHOUT_SHARED("192em64t-24n8c2t.xml");
  for (bool by_numa : {false, true}) {
    const auto workers = probe_shared("192em64t-24n8c2t.xml", by_numa);
    ASSERT_EQ(workers.size(), 24u);
    int pus = 0;
    for (const auto& w : workers) {
      EXPECT_EQ(w.kind, device_kind::cpu);
      EXPECT_EQ(w.cores, 8);
      pus += w.pus;
    }
    EXPECT_EQ(pus, 384);
    EXPECT_EQ(workers[1].id, by_numa ? "cpu-numa1" : "cpu-pkg1");
    EXPECT_EQ(workers[1].cpuset, "8-15,200-207");
  }
}
