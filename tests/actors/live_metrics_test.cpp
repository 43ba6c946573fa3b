// Live metrics reach the scheduler in a running system: the node has its real
// devices sampled (two AMD GPUs whose amdgpu sysfs files are a stand-in tree
// of real files; two NVIDIA GPUs behind a stand-in NVML, tests/hw/fakes), the
// samples go through the coordinator to the scheduler, and its efficiency term
// acts on them.
#include "actors/coordinator.hpp"
#include "actors/node_actor.hpp"
#include "actors/system_setup.hpp"
#include "journal_temp_dir.hpp"
#include "tests/hw/hw_test_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace dtf {
namespace {

struct device_state {
  int busy_percent;
  int temperature_c;
  int power_w;
};

/// One AMD GPU's amdgpu sysfs files under `sys` (power cap 300 W).
void write_device(const std::filesystem::path& sys, const std::string& bus_id, const device_state& s) {
  const auto device = sys / "bus/pci/devices" / bus_id;
  const auto hwmon = device / "hwmon/hwmon0";
  std::filesystem::create_directories(hwmon);
  std::ofstream(device / "gpu_busy_percent") << s.busy_percent << "\n";
  std::ofstream(device / "mem_info_vram_used") << "1073741824\n";
  std::ofstream(hwmon / "temp1_input") << s.temperature_c * 1000 << "\n";
  std::ofstream(hwmon / "power1_average") << s.power_w * 1000000 << "\n";
  std::ofstream(hwmon / "power1_cap") << "300000000\n";
}

worker_capability mi210(const std::string& id, const std::string& bus_id, int index) {
  worker_capability w;
  w.id = id;
  w.kind = device_kind::rocm;
  w.name = "AMD Instinct MI210";
  w.memory_bytes = 64ull << 30;
  w.arch = "gfx90a";
  w.cores = 104;
  w.slots = 1;
  w.pci_bus_id = bus_id;
  w.device_index = index;
  return w;
}

worker_capability h200(const std::string& id, const std::string& bus_id, int index) {
  worker_capability w;
  w.id = id;
  w.kind = device_kind::cuda;
  w.name = "NVIDIA H200";
  w.memory_bytes = 141ull << 30;
  w.compute_capability = 9.0;
  w.cores = 132;
  w.slots = 1;
  w.pci_bus_id = bus_id;
  w.device_index = index;
  return w;
}

/// Runs one task of `kind` that either GPU can run on a node offering both
/// (the first registered wins a tie), its metrics read from `sources`, and
/// returns the worker that ran it.
std::string placement_on(const testing::journal_temp_dir& dir, std::vector<worker_capability> gpus,
                         const hw::metrics_sources& sources) {
  const auto kind = gpus.at(0).kind;
  caf::actor_system_config cfg;
  configure_actor_system(cfg, 2);
  caf::actor_system sys{cfg};
  coordinator_config coordination;  // the defaults: the intelligent policy, efficiency weighed 1
  auto coordinator = spawn_coordinator(sys, coordination);
  node_config config;
  config.probe_local = false;
  config.metrics_interval_s = 3600;  // the sample at join only
  config.metrics_sources = sources;
  config.worker.output_dir = (dir / "output").string();
  auto node = spawn_node(sys, config, std::move(gpus));

  caf::scoped_actor self{sys};
  std::string placed_on;
  // The join answers once the workers are registered and their first sample
  // was sent: the scheduler knows the devices before the task arrives.
  self->request(node, std::chrono::seconds(30), atom::join_v, caf::actor_cast<caf::actor>(coordinator))
    .receive([](std::uint64_t registered) { EXPECT_EQ(registered, 2u); },
             [&](caf::error& err) { ADD_FAILURE() << "join failed: " << sys.render(err); });
  task t;
  t.id = "bench";
  t.type = task_type::benchmark;
  t.model = "bert-base-uncased";
  t.requirements.hardware = {kind};
  t.command = {"true"};
  self->request(coordinator, std::chrono::seconds(30), atom::submit_v, std::vector<task>{t})
    .receive([](std::uint64_t accepted) { EXPECT_EQ(accepted, 1u); },
             [&](caf::error& err) { ADD_FAILURE() << "submit failed: " << sys.render(err); });
  self->request(coordinator, std::chrono::seconds(60), atom::drain_v)
    .receive(
      [&](const runtime_stats& stats) {
        EXPECT_EQ(stats.succeeded, 1u);
        for (const auto& w : stats.workers)
          if (w.completed > 0) placed_on = w.worker_id;
      },
      [&](caf::error& err) { ADD_FAILURE() << "drain failed: " << sys.render(err); });
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
  return placed_on;
}

/// The two AMD GPUs, their sysfs files in these states.
std::string amd_placement_with(const testing::journal_temp_dir& dir, const device_state& rocm0,
                               const device_state& rocm1) {
  const auto sys_root = dir / "sys";
  std::filesystem::remove_all(sys_root);
  write_device(sys_root, "0000:c1:00.0", rocm0);
  write_device(sys_root, "0000:c2:00.0", rocm1);
  return placement_on(dir, {mi210("rocm0", "0000:c1:00.0", 0), mi210("rocm1", "0000:c2:00.0", 1)},
                      {"/proc", sys_root.string(), "libdtf-no-such-nvml.so"});
}

/// The two NVIDIA GPUs as the stand-in NVML reports them (cuda0 hot when
/// DTF_FAKE_NVML_HOT is set).
std::string nvidia_placement(const testing::journal_temp_dir& dir) {
  return placement_on(dir, {h200("cuda0", "0000:17:00.0", 0), h200("cuda1", "0000:18:00.0", 1)},
                      {"/proc", (dir / "no-sys").string(), hw::testing::fake_library("fake_nvml")});
}

TEST(live_metrics, a_hot_busy_device_loses_the_placement_it_wins_when_cool) {
  testing::journal_temp_dir dir;
  const device_state cool{0, 45, 60};
  const device_state hot{100, 95, 290};
  EXPECT_EQ(amd_placement_with(dir, cool, cool), "rocm0") << "equal devices: the first registered wins";
  EXPECT_EQ(amd_placement_with(dir, hot, cool), "rocm1") << "the efficiency term saw rocm0 saturated, hot and at its power cap";
}

TEST(live_metrics, nvml_samples_reach_the_efficiency_term_too) {
  testing::journal_temp_dir dir;
  EXPECT_EQ(nvidia_placement(dir), "cuda0") << "equal devices: the first registered wins";
  const hw::testing::scoped_env hot{"DTF_FAKE_NVML_HOT", "1"};  // read by the stand-in NVML at each sample
  EXPECT_EQ(nvidia_placement(dir), "cuda1") << "the efficiency term saw cuda0 saturated, hot and at its power limit";
}

} // namespace
} // namespace dtf
