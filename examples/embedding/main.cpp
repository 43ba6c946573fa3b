// Embeds dtf: two emulated GPUs, six benchmark tasks, wait for all of them,
// print what happened. Exit 0 when every task succeeded.
#include <dtf/runtime.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main() {
  dtf::runtime_config config;
  config.probe_local = false;  // emulated workers only: runs anywhere
  config.time_scale = 0.0;     // emulated tasks finish at once
  for (int i = 1; i <= 2; ++i) {
    dtf::worker_capability gpu;
    gpu.id = "gpu-" + std::to_string(i);
    gpu.kind = dtf::device_kind::cuda;
    gpu.name = "NVIDIA A100-SXM4-40GB";
    gpu.memory_bytes = 40ull << 30;
    gpu.compute_capability = 8.0;
    gpu.slots = 2;
    gpu.emulated = true;
    config.fleet.push_back(gpu);
  }
  dtf::runtime rt{config};
  rt.subscribe([](const dtf::task_update& u) {
    if (u.kind == dtf::task_event_kind::finished)
      std::printf("%s: %s on %s\n", u.task_id.c_str(), std::string{dtf::to_string(u.status)}.c_str(),
                  u.worker_id.c_str());
  });
  rt.start();
  std::vector<dtf::task> tasks;
  for (const char* model : {"bert-base-uncased", "t5-small", "vit-base", "bert-large", "t5-base", "clip-vit"}) {
    dtf::task t;
    t.id = std::string{model} + "-b8";
    t.type = dtf::task_type::benchmark;
    t.model = model;
    t.batch_size = 8;
    t.requirements.hardware = {dtf::device_kind::cuda};
    tasks.push_back(t);
  }
  const auto submitted = rt.submit(tasks);
  const auto stats = rt.wait();
  rt.stop();
  std::printf("%llu of %zu tasks succeeded on %zu workers\n", static_cast<unsigned long long>(stats.succeeded),
              submitted, rt.workers().size());
  return stats.succeeded == submitted ? 0 : 1;
}
