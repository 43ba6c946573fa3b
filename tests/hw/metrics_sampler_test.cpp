// Live metrics sampled on demand, from stand-in /proc, /sys and NVML.
#include "hw/metrics_sampler.hpp"
#include "hw_test_support.hpp"

#include <gtest/gtest.h>

using dtf::hw::testing::fake_library;
using dtf::hw::testing::fake_tree;

namespace {

dtf::worker_capability cpu_worker(const std::string& cpuset, std::vector<int> numa_nodes) {
  dtf::worker_capability w;
  w.id = "cpu-pkg0";
  w.kind = dtf::device_kind::cpu;
  w.cpuset = cpuset;
  w.numa_nodes = std::move(numa_nodes);
  return w;
}

} // namespace

TEST(metrics_sampler, cpu_utilization_is_the_busy_share_of_the_workers_pus_between_samples) {
  const fake_tree proc{"proc"}, sys{"sys"};
  //           user nice system idle iowait irq softirq steal
  proc.write("stat", "cpu  300 0 0 700 0 0 0 0 0 0\n"
                     "cpu0 100 0 0 100 0 0 0 0 0 0\n"
                     "cpu1 100 0 0 100 0 0 0 0 0 0\n"
                     "cpu2 100 0 0 500 0 0 0 0 0 0\n");
  sys.write("devices/system/node/node0/meminfo", "Node 0 MemTotal: 1000 kB\nNode 0 MemUsed:   250 kB\n");
  dtf::hw::metrics_sampler sampler{{proc.path(), sys.path(), "libdtf-no-such-nvml.so"}};
  const auto worker = cpu_worker("0-1", {0});
  auto first = sampler.sample(worker);
  ASSERT_TRUE(first.utilization);
  EXPECT_DOUBLE_EQ(*first.utilization, 0.5);  // since boot: 200 busy of 400 on cpus 0-1; cpu2 is not ours
  ASSERT_TRUE(first.memory_used_bytes);
  EXPECT_EQ(*first.memory_used_bytes, 250u * 1024);
  proc.write("stat", "cpu  0 0 0 0 0 0 0 0 0 0\n"
                     "cpu0 190 0 0 110 0 0 0 0 0 0\n"        // +90 busy, +10 idle
                     "cpu1 150 0 10 130 10 0 0 0 0 0\n"      // +60 busy, +40 idle/iowait
                     "cpu2 900 0 0 500 0 0 0 0 0 0\n");
  const auto second = sampler.sample(worker);
  ASSERT_TRUE(second.utilization);
  EXPECT_DOUBLE_EQ(*second.utilization, 150.0 / 200.0);
  EXPECT_TRUE(sampler.warnings().empty());
}

TEST(metrics_sampler, cuda_metrics_come_from_nvml_by_bus_id) {
  dtf::hw::metrics_sampler sampler{{"/proc", "/sys", fake_library("fake_nvml")}};
  dtf::worker_capability gpu;
  gpu.id = "cuda0";
  gpu.kind = dtf::device_kind::cuda;
  gpu.pci_bus_id = "0000:17:00.0";
  const auto m = sampler.sample(gpu);
  ASSERT_TRUE(m.temperature_c && m.power_w && m.power_limit_w && m.utilization && m.memory_used_bytes);
  EXPECT_DOUBLE_EQ(*m.temperature_c, 45.0);
  EXPECT_DOUBLE_EQ(*m.power_w, 312.5);
  EXPECT_DOUBLE_EQ(*m.power_limit_w, 700.0);
  EXPECT_DOUBLE_EQ(*m.utilization, 0.87);
  EXPECT_EQ(*m.memory_used_bytes, 1ull << 34);
  gpu.pci_bus_id = "0000:99:00.0";  // NVML does not know it
  const auto unknown = sampler.sample(gpu);
  EXPECT_FALSE(unknown.temperature_c || unknown.utilization);
}

TEST(metrics_sampler, failing_nvml_is_reported_once) {
  dtf::hw::metrics_sampler sampler{{"/proc", "/sys", fake_library("fake_unrelated")}};
  dtf::worker_capability gpu;
  gpu.kind = dtf::device_kind::cuda;
  gpu.pci_bus_id = "0000:17:00.0";
  sampler.sample(gpu);
  sampler.sample(gpu);
  ASSERT_EQ(sampler.warnings().size(), 1u);
  EXPECT_NE(sampler.warnings()[0].find("nvmlInit_v2"), std::string::npos);
}

TEST(metrics_sampler, rocm_metrics_come_from_the_amdgpu_sysfs_files) {
  const fake_tree sys{"amd"};
  const std::string device = "bus/pci/devices/0000:c1:00.0/";
  sys.write(device + "gpu_busy_percent", "42\n");
  sys.write(device + "mem_info_vram_used", "1073741824\n");
  sys.write(device + "hwmon/hwmon3/temp1_input", "51000\n");
  sys.write(device + "hwmon/hwmon3/power1_average", "250000000\n");
  sys.write(device + "hwmon/hwmon3/power1_cap", "750000000\n");
  dtf::hw::metrics_sampler sampler{{"/proc", sys.path(), "libdtf-no-such-nvml.so"}};
  dtf::worker_capability gpu;
  gpu.kind = dtf::device_kind::rocm;
  gpu.pci_bus_id = "0000:c1:00.0";
  const auto m = sampler.sample(gpu);
  ASSERT_TRUE(m.temperature_c && m.power_w && m.power_limit_w && m.utilization && m.memory_used_bytes);
  EXPECT_DOUBLE_EQ(*m.utilization, 0.42);
  EXPECT_EQ(*m.memory_used_bytes, 1073741824u);
  EXPECT_DOUBLE_EQ(*m.temperature_c, 51.0);
  EXPECT_DOUBLE_EQ(*m.power_w, 250.0);
  EXPECT_DOUBLE_EQ(*m.power_limit_w, 750.0);
}

TEST(metrics_sampler, this_machines_cpu_worker_has_a_utilization_between_0_and_1) {
  dtf::hw::metrics_sampler sampler;
  const auto m = sampler.sample(cpu_worker("0", {0}));
  ASSERT_TRUE(m.utilization);
  EXPECT_GE(*m.utilization, 0.0);
  EXPECT_LE(*m.utilization, 1.0);
}
