// The node agent: probes once, spawns the workers, registers them with the
// coordinator it joins (re-joining registers the same workers again), and has
// the devices' live metrics sampled periodically, on the sampler's own thread,
// for the scheduler's efficiency term.
#include "actors/node_actor.hpp"

#include "actors/actor_failure.hpp"
#include "actors/metrics_sampler_actor.hpp"

#include "hw/probe.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dtf {

struct node_state {
  static inline const char* name = "dtf.node";

  node_config config;
  std::vector<worker_capability> capabilities;  // registration order
  std::vector<worker_actor> workers;
  coordinator_actor coordinator;
  /// Samples the real workers' devices (none without any, or with metrics off).
  metrics_sampler_actor sampler;
  bool sampling = false;
};

using node_pointer = node_actor::stateful_pointer<node_state>;

namespace {

/// A sampling interval as a timer: at least 10 ms (a 1 ns interval re-sent
/// the sample at once, forever) and at most a day.
caf::timespan seconds(double s) {
  return std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(s > 0 ? std::clamp(s, 0.01, 86400.0) : 1.0));
}

/// The node's real workers: the devices whose live metrics are sampled
/// (emulated workers have none).
std::vector<worker_capability> real_devices(const std::vector<worker_capability>& workers) {
  std::vector<worker_capability> out;
  for (const auto& w : workers)
    if (!w.emulated) out.push_back(w);
  return out;
}

/// Has the sampler send one sample to the coordinator, then calls `done`
/// (also when the sampler does not answer in time).
template <class Done>
void sample_metrics(node_pointer self, Done done) {
  auto& st = self->state;
  if (!st.sampler) {
    done();
    return;
  }
  self->request(st.sampler, seconds(st.config.request_timeout_s), atom::sample_v)
    .then([done](std::uint64_t) mutable { done(); }, [done](caf::error&) mutable { done(); });
}

} // namespace

std::vector<worker_capability> node_workers(const node_config& config, std::vector<std::string>* warnings) {
  std::vector<worker_capability> out;
  if (config.probe_local) {
    hw::probe_options options;
    options.by_numa = config.cpu_by_numa;
    out = hw::probe_workers(options, warnings);
    for (auto& w : out) {
      w.emulated = false;
      if (config.probed_slots > 0) w.slots = config.probed_slots;
    }
  }
  for (const auto& w : config.emulated) {
    out.push_back(w);
    out.back().emulated = true;
  }
  return out;
}

node_actor::behavior_type node(node_pointer self, node_config config, std::vector<worker_capability> capabilities) {
  auto& st = self->state;
  st.config = std::move(config);
  st.capabilities = std::move(capabilities);
  // The scheduler reads an emulated worker's clock against its own (wall
  // seconds): the scale its worker actor waits by.
  const double scale = std::isfinite(st.config.worker.time_scale) && st.config.worker.time_scale >= 0
                         ? st.config.worker.time_scale : 1.0;
  for (auto& cap : st.capabilities)
    if (cap.emulated) cap.time_scale = scale;
  report_exceptions(self, node_state::name, [self](const std::string& why) {
    if (self->state.coordinator) self->send(self->state.coordinator, atom::failed_v, why);
  });
  return {
    [self](atom::join, const caf::actor& coordinator) -> caf::result<std::uint64_t> {
      auto& st = self->state;
      st.coordinator = caf::actor_cast<coordinator_actor>(coordinator);
      if (st.workers.empty()) {
        for (const auto& cap : st.capabilities) {
          auto w = spawn_worker(self->system(), cap, coordinator, st.config.worker);
          self->link_to(w);
          st.workers.push_back(w);
        }
      }
      if (!st.sampler && st.config.metrics_interval_s > 0) {
        if (auto devices = real_devices(st.capabilities); !devices.empty()) {
          st.sampler = spawn_metrics_sampler(self->system(), std::move(devices), st.config.metrics_sources);
          self->link_to(st.sampler);
        }
      }
      if (st.sampler) self->send(st.sampler, atom::join_v, coordinator);
      auto rp = self->make_response_promise<std::uint64_t>();
      if (st.workers.empty()) {
        rp.deliver(std::uint64_t{0});
        return rp;
      }
      struct tally {
        std::size_t outstanding = 0;
        std::uint64_t registered = 0;
      };
      auto counts = std::make_shared<tally>();
      counts->outstanding = st.workers.size();
      // Registered, then one metrics sample sent: the join is answered after both.
      auto done = [self, rp, counts]() mutable {
        if (--counts->outstanding > 0) return;
        sample_metrics(self, [rp, counts]() mutable { rp.deliver(counts->registered); });
      };
      for (std::size_t i = 0; i < st.workers.size(); ++i) {
        self->request(st.coordinator, seconds(st.config.request_timeout_s), atom::enroll_v, st.capabilities[i],
                      caf::actor_cast<caf::actor>(st.workers[i]))
          .then(
            [counts, done](bool accepted) mutable {
              if (accepted) ++counts->registered;
              done();
            },
            [done](caf::error&) mutable { done(); });
      }
      if (st.config.metrics_interval_s > 0 && !st.sampling) {
        st.sampling = true;
        self->delayed_send(self, seconds(st.config.metrics_interval_s), atom::sample_v);
      }
      return rp;
    },
    [self](atom::member) -> caf::result<std::uint64_t> {
      auto& st = self->state;
      if (!st.coordinator || st.workers.empty()) return std::uint64_t{0};
      std::vector<std::string> ids;
      std::vector<caf::actor> handles;
      for (std::size_t i = 0; i < st.workers.size(); ++i) {
        ids.push_back(st.capabilities[i].id);
        handles.push_back(caf::actor_cast<caf::actor>(st.workers[i]));
      }
      auto rp = self->make_response_promise<std::uint64_t>();
      self->request(st.coordinator, seconds(st.config.request_timeout_s), atom::member_v, std::move(ids),
                    std::move(handles))
        .then([rp](std::uint64_t n) mutable { rp.deliver(n); }, [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](atom::sample) {
      sample_metrics(self, [] {});
      self->delayed_send(self, seconds(self->state.config.metrics_interval_s), atom::sample_v);
    },
  };
}

node_actor spawn_node(caf::actor_system& system, node_config config, std::vector<worker_capability> workers) {
  return system.spawn(node, std::move(config), std::move(workers));
}

} // namespace dtf
