// NVIDIA MIG instances as workers, read through the stand-in NVML
// (tests/hw/fakes/fake_nvml.cpp: the H200 at 0000:17:00.0 in MIG mode).
#include "hw/nvml_probe.hpp"
#include "hw/probe.hpp"
#include "hw_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using dtf::device_kind;
using dtf::worker_capability;
using dtf::hw::testing::fake_library;
using dtf::hw::testing::scoped_env;

namespace {

std::vector<worker_capability> live_gpus(std::vector<std::string>* notes) {
  dtf::hw::probe_options options;
  options.libraries.cuda = fake_library("fake_cuda");
  options.libraries.hip = "libdtf-no-such-hip.so";
  options.libraries.nvml = fake_library("fake_nvml");
  std::vector<std::string> warnings;
  std::vector<worker_capability> gpus;
  for (auto& w : dtf::hw::probe_workers(options, &warnings, notes))
    if (w.kind != device_kind::cpu) gpus.push_back(std::move(w));
  EXPECT_TRUE(warnings.empty());
  return gpus;
}

} // namespace

TEST(nvml_mig, instances_in_index_order_with_uuid_profile_memory_and_sms) {
  const scoped_env mig{"DTF_FAKE_NVML_MIG", "3"};
  const auto nvml = dtf::hw::nvml_library::load(fake_library("fake_nvml"));
  ASSERT_TRUE(nvml);
  const auto instances = nvml->mig_instances("0000:17:00.0");
  ASSERT_TRUE(instances);
  ASSERT_EQ(instances->size(), 3u);  // slots 1, 4, 5, 6 are empty
  EXPECT_EQ((*instances)[0].uuid, "MIG-8d4b6e2a-1f3c-5d7e-9a0b-000000000000");
  EXPECT_EQ((*instances)[0].name, "NVIDIA H200 MIG 3g.71gb");
  EXPECT_EQ((*instances)[0].profile, "3g.71gb");
  EXPECT_EQ((*instances)[0].memory_bytes, 72192ull << 20);
  EXPECT_EQ((*instances)[0].sms, 60);
  EXPECT_EQ((*instances)[1].profile, "2g.35gb");
  EXPECT_EQ((*instances)[1].uuid, "MIG-8d4b6e2a-1f3c-5d7e-9a0b-000000000002");
  EXPECT_EQ((*instances)[2].profile, "1g.18gb");
  EXPECT_EQ((*instances)[2].sms, 16);
  EXPECT_FALSE(nvml->mig_instances("0000:b1:00.0"));  // a GPU NVML does not know
}

TEST(nvml_mig, without_mig_mode_there_are_no_instances) {
  const auto nvml = dtf::hw::nvml_library::load(fake_library("fake_nvml"));
  ASSERT_TRUE(nvml);
  EXPECT_FALSE(nvml->mig_instances("0000:17:00.0"));
}

TEST(nvml_mig, a_gpu_in_mig_mode_is_replaced_by_one_worker_per_instance_pinned_by_uuid) {
  const scoped_env mig{"DTF_FAKE_NVML_MIG", "3"};
  std::vector<std::string> notes;
  const auto gpus = live_gpus(&notes);
  EXPECT_TRUE(notes.empty());
  std::vector<std::string> ids;
  for (const auto& w : gpus) ids.push_back(w.id);
  // The parent (cuda0) is not a worker of its own; the GPU without MIG (cuda1) is unchanged.
  ASSERT_EQ(ids, (std::vector<std::string>{"cuda0-mig0", "cuda0-mig1", "cuda0-mig2", "cuda1"}));
  const std::string profiles[] = {"3g.71gb", "2g.35gb", "1g.18gb"};
  const int sms[] = {60, 32, 16};
  const std::uint64_t memory_mb[] = {72192, 35840, 17920};
  const int slots[] = {0, 2, 3};
  for (int k = 0; k < 3; ++k) {
    const auto& w = gpus[static_cast<std::size_t>(k)];
    EXPECT_EQ(w.kind, device_kind::cuda);
    EXPECT_EQ(w.name, "NVIDIA H200 MIG " + profiles[k]);
    EXPECT_EQ(w.memory_bytes, memory_mb[k] << 20);
    EXPECT_EQ(w.cores, sms[k]);
    ASSERT_TRUE(w.compute_capability);
    EXPECT_DOUBLE_EQ(*w.compute_capability, 9.0);  // the parent's
    EXPECT_EQ(w.visible_device, "MIG-8d4b6e2a-1f3c-5d7e-9a0b-00000000000" + std::to_string(slots[k]));
    EXPECT_EQ(w.device_index, 0);  // the parent's ordinal
    EXPECT_EQ(w.pci_bus_id, "0000:17:00.0");
    EXPECT_EQ(w.labels, (std::vector<std::string>{"nvlink", "mig:" + profiles[k]}));
    EXPECT_EQ(w.backends, (std::vector<std::string>{"cuda", "nvml"}));
  }
  EXPECT_TRUE(gpus[3].visible_device.empty());
  EXPECT_EQ(gpus[3].memory_bytes, 150754820096ull);
}

TEST(nvml_mig, mig_mode_without_instances_leaves_no_worker_and_says_so) {
  const scoped_env mig{"DTF_FAKE_NVML_MIG", "0"};
  const scoped_env pending{"DTF_FAKE_NVML_MIG_PENDING", "1"};
  std::vector<std::string> notes;
  const auto gpus = live_gpus(&notes);
  ASSERT_EQ(gpus.size(), 1u);
  EXPECT_EQ(gpus[0].id, "cuda0");  // the second H200, now the first worker
  EXPECT_EQ(gpus[0].pci_bus_id, "0000:b1:00.0");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], "cuda0 (0000:17:00.0): a MIG mode change waits for a GPU reset; listed as it is now");
  EXPECT_EQ(notes[1], "cuda0 (0000:17:00.0): MIG mode is on but the GPU has no MIG instances; no worker");
}
