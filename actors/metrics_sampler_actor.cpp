// A detached actor (its own thread): hw::metrics_sampler blocks in NVML and
// reads files, which must not happen on the threads that run the pipeline.
#include "actors/metrics_sampler_actor.hpp"

#include "actors/actor_failure.hpp"

#include <caf/actor_system.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace dtf {

struct metrics_sampler_state {
  static inline const char* name = "dtf.metrics";

  std::unique_ptr<hw::metrics_sampler> sampler;
  std::vector<worker_capability> devices;
  coordinator_actor coordinator;
  std::size_t warnings_said = 0;
};

using metrics_sampler_pointer = metrics_sampler_actor::stateful_pointer<metrics_sampler_state>;

namespace {

std::optional<double> finite(std::optional<double> value) {
  if (value && !std::isfinite(*value)) return std::nullopt;
  return value;
}

/// One sample of every device: utilization, memory used, temperature, power.
std::vector<worker_metrics_report> sample_all(metrics_sampler_state& st) {
  std::vector<worker_metrics_report> out;
  out.reserve(st.devices.size());
  for (const auto& device : st.devices) {
    auto m = st.sampler->sample(device);
    m.utilization = finite(m.utilization);
    m.temperature_c = finite(m.temperature_c);
    m.power_w = finite(m.power_w);
    m.power_limit_w = finite(m.power_limit_w);
    out.push_back({device.id, std::move(m)});
  }
  const auto& warnings = st.sampler->warnings();
  for (; st.warnings_said < warnings.size(); ++st.warnings_said)
    std::fprintf(stderr, "dtf: live metrics: %s\n", warnings[st.warnings_said].c_str());
  return out;
}

metrics_sampler_actor::behavior_type metrics_sampler_behavior(metrics_sampler_pointer self,
                                                              std::vector<worker_capability> devices,
                                                              hw::metrics_sources sources) {
  auto& st = self->state;
  st.sampler = std::make_unique<hw::metrics_sampler>(std::move(sources));
  st.devices = std::move(devices);
  report_exceptions(self, metrics_sampler_state::name);
  return {
    [self](atom::join, const caf::actor& coordinator) {
      self->state.coordinator = caf::actor_cast<coordinator_actor>(coordinator);
    },
    [self](atom::sample) -> std::uint64_t {
      auto& st = self->state;
      auto reports = sample_all(st);
      const auto sent = reports.size();
      if (!st.coordinator || reports.empty()) return 0;
      self->send(st.coordinator, atom::metrics_v, std::move(reports));
      return sent;
    },
  };
}

} // namespace

metrics_sampler_actor spawn_metrics_sampler(caf::actor_system& system, std::vector<worker_capability> devices,
                                            hw::metrics_sources sources) {
  return system.spawn<caf::detached>(metrics_sampler_behavior, std::move(devices), std::move(sources));
}

} // namespace dtf
