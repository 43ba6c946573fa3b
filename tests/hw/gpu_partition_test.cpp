// GPUs split into partitions as workers: AMD compute partitions from hwloc
// XML (tests/fixtures/hwloc/mi300a-cpx-2apu.xml, reduced from a real MI300A
// node) and from HIP + sysfs (the stand-in libamdhip64 in tests/hw/fakes).
#include "hw/gpu_partitions.hpp"
#include "hw/hip_probe.hpp"
#include "hw/probe.hpp"
#include "hw_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using dtf::device_kind;
using dtf::worker_capability;
using dtf::hw::testing::fake_library;
using dtf::hw::testing::scoped_env;
using dtf::hw::testing::fake_tree;

namespace {

std::vector<worker_capability> gpus_of(const std::vector<worker_capability>& workers) {
  std::vector<worker_capability> out;
  for (const auto& w : workers)
    if (w.kind != device_kind::cpu) out.push_back(w);
  return out;
}

// An MI300X in CPX mode as amdgpu shows it: 8 KFD nodes on one bus id, 38 CUs each.
void write_mi300x_cpx_sysfs(const fake_tree& sys, bool with_mode_file) {
  sys.write("class/kfd/kfd/topology/nodes/0/properties", "cpu_cores_count 64\nsimd_count 0\ngfx_target_version 0\n");
  for (int node = 1; node <= 8; ++node)
    sys.write("class/kfd/kfd/topology/nodes/" + std::to_string(node) + "/properties",
              "cpu_cores_count 0\nsimd_count 152\nsimd_per_cu 4\ngfx_target_version 90402\nlocation_id 49408\ndomain 0\n");
  if (with_mode_file) sys.write("bus/pci/devices/0000:c1:00.0/current_compute_partition", "CPX\n");
}

} // namespace

TEST(amd_partitions, mi300a_in_cpx_mode_gives_one_worker_per_compute_partition) {
  dtf::hw::probe_options options;
  options.topology_xml = dtf::hw::testing::own_fixture("mi300a-cpx-2apu.xml");
  std::vector<std::string> warnings, notes;
  const auto gpus = gpus_of(dtf::hw::probe_workers(options, &warnings, &notes));
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(gpus.size(), 12u);  // 2 APUs x 6 partitions
  const std::uint64_t numa_bytes[2] = {134081638400ull, 134972620800ull};
  for (int i = 0; i < 12; ++i) {
    const auto& gpu = gpus[static_cast<std::size_t>(i)];
    const int apu = i / 6;
    EXPECT_EQ(gpu.id, "rocm" + std::to_string(i));
    EXPECT_EQ(gpu.kind, device_kind::rocm);
    EXPECT_EQ(gpu.device_index, i);  // rsmi<i>: HIP_VISIBLE_DEVICES=<i> picks this partition alone
    EXPECT_EQ(gpu.name, "Aqua Vanjaram [Instinct MI300A] (partition " + std::to_string(i % 6 + 1) + " of 6)");
    EXPECT_EQ(gpu.pci_bus_id, apu == 0 ? "0000:02:00.0" : "0001:02:00.0");
    EXPECT_EQ(gpu.arch, "gfx942");
    EXPECT_EQ(gpu.cores, 38);                               // 228 CUs / 6
    EXPECT_EQ(gpu.memory_bytes, numa_bytes[apu] / 6);  // the APU's share of its package's memory
    EXPECT_EQ(gpu.labels, (std::vector<std::string>{"xgmi", "partition:cpx", "apu"}));  // the APUs are XGMI peers
    EXPECT_EQ(gpu.cpuset, apu == 0 ? "0-23,96-119" : "24-47,120-143");
    EXPECT_EQ(gpu.numa_nodes, std::vector<int>{apu});
    EXPECT_EQ(gpu.host, "testhost-amd");
  }
  // hwloc XML does not record the mode: the notes say it was deduced, once per device.
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("rocm0-rocm5 (6 partitions of the device at 0000:02:00.0)"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("cpx follows from 6 partitions"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("rocm6-rocm11"), std::string::npos) << notes[1];
}

TEST(amd_partitions, a_mode_that_cannot_be_told_is_a_note_and_no_label) {
  const auto topo = dtf::hw::topology::load_synthetic("package:1 numa:1(memory=1GiB) core:4 pu:1");
  std::vector<worker_capability> gpus(3);
  for (int i = 0; i < 3; ++i) {
    auto& w = gpus[static_cast<std::size_t>(i)];
    w.id = "rocm" + std::to_string(i);
    w.kind = device_kind::rocm;
    w.name = "AMD Instinct MI999";  // not in the model table: its XCD count is unknown
    w.pci_bus_id = "0000:c1:00.0";
    w.device_index = i;
  }
  std::vector<std::string> notes;
  dtf::hw::describe_amd_devices(topo, gpus, &notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("rocm0-rocm2 (3 partitions of the device at 0000:c1:00.0): partition mode not read and not "
                          "deducible for 'AMD Instinct MI999'"),
            std::string::npos)
      << notes[0];
  for (const auto& w : gpus) EXPECT_TRUE(w.labels.empty());
  EXPECT_EQ(gpus[2].name, "AMD Instinct MI999 (partition 3 of 3)");
  EXPECT_EQ(gpus[2].cores, 0);
}

TEST(amd_partitions, hip_partitions_take_their_compute_units_and_mode_from_sysfs) {
  const fake_tree sys{"hip-cpx"};
  write_mi300x_cpx_sysfs(sys, true);
  const scoped_env partitions{"DTF_FAKE_HIP_DEVICES", "8"};
  const auto result = dtf::hw::probe_hip(fake_library("fake_hip"), sys.path());
  ASSERT_FALSE(result.warning) << *result.warning;
  ASSERT_EQ(result.gpus.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    const auto& gpu = result.gpus[static_cast<std::size_t>(i)];
    EXPECT_EQ(gpu.device_index, i);
    EXPECT_EQ(gpu.pci_bus_id, "0000:c1:00.0");
    EXPECT_EQ(gpu.cores, 38);
    EXPECT_EQ(gpu.labels, std::vector<std::string>{"partition:cpx"});
    EXPECT_EQ(gpu.backends, (std::vector<std::string>{"hip", "sysfs"}));
  }
}

TEST(amd_partitions, live_probe_lists_each_hip_partition_as_a_worker_and_notes_a_mode_it_deduced) {
  const fake_tree sys{"hip-cpx-no-mode"};
  write_mi300x_cpx_sysfs(sys, false);
  const scoped_env partitions{"DTF_FAKE_HIP_DEVICES", "8"};
  dtf::hw::probe_options options;
  options.libraries.cuda = "libdtf-no-such-cuda.so";
  options.libraries.hip = fake_library("fake_hip");
  options.sys_root = sys.path();
  std::vector<std::string> warnings, notes;
  const auto gpus = gpus_of(dtf::hw::probe_workers(options, &warnings, &notes));
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(gpus.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    const auto& gpu = gpus[static_cast<std::size_t>(i)];
    EXPECT_EQ(gpu.id, "rocm" + std::to_string(i));
    EXPECT_EQ(gpu.name, "AMD Instinct MI300X (partition " + std::to_string(i + 1) + " of 8)");
    EXPECT_EQ(gpu.cores, 38);
    EXPECT_EQ(gpu.memory_bytes, 206141652992ull / 8);  // what HIP says of each partition
    EXPECT_EQ(gpu.labels, std::vector<std::string>{"partition:cpx"});
  }
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("rocm0-rocm7"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("cpx follows from 8 partitions of a device with 8 XCDs"), std::string::npos) << notes[0];
}

TEST(amd_partitions, shared_mi300a_node_lists_24_rocm_workers_with_memory_compute_units_and_nearby_cores) {
  const std::string path = std::string{DTF_SHARED_DIR} + "/fixtures/hwloc-flux/mi300a-cpx.xml";
  if (!std::filesystem::is_regular_file(path))
    GTEST_SKIP() << "../shared/fixtures/hwloc-flux/mi300a-cpx.xml is absent (no ../shared beside this clone); skipped";
  dtf::hw::probe_options options;
  options.topology_xml = path;
  const auto gpus = gpus_of(dtf::hw::probe_workers(options));
  ASSERT_EQ(gpus.size(), 24u);
  for (int i = 0; i < 24; ++i) {
    const auto& gpu = gpus[static_cast<std::size_t>(i)];
    EXPECT_EQ(gpu.id, "rocm" + std::to_string(i));
    EXPECT_EQ(gpu.device_index, i);
    EXPECT_EQ(gpu.cores, 38);
    EXPECT_GT(gpu.memory_bytes, 20ull << 30);
    EXPECT_FALSE(gpu.cpuset.empty());
    EXPECT_EQ(gpu.numa_nodes, std::vector<int>{i / 6});
    EXPECT_EQ(gpu.labels, (std::vector<std::string>{"xgmi", "partition:cpx", "apu"}));
  }
}
