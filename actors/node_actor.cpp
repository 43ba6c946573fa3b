// The node agent: probes once, spawns the workers, registers them with the
// coordinator it joins (re-joining registers the same workers again), and
// samples their metrics periodically for the scheduler's efficiency term.
#include "actors/node_actor.hpp"

#include "actors/actor_failure.hpp"

#include "hw/probe.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace dtf {

struct node_state {
  static inline const char* name = "dtf.node";

  node_config config;
  std::vector<worker_capability> capabilities;  // registration order
  std::vector<worker_actor> workers;
  coordinator_actor coordinator;
  bool sampling = false;
};

using node_pointer = node_actor::stateful_pointer<node_state>;

namespace {

caf::timespan seconds(double s) {
  return std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(s > 0 ? s : 1.0));
}

/// Asks every worker for its metrics and forwards one batch to the coordinator.
void sample_metrics(node_pointer self) {
  auto& st = self->state;
  if (!st.coordinator || st.workers.empty()) return;
  struct collected {
    std::vector<std::optional<worker_metrics_report>> reports;
    std::size_t outstanding = 0;
  };
  auto batch = std::make_shared<collected>();
  batch->reports.resize(st.workers.size());
  batch->outstanding = st.workers.size();
  auto finish_one = [self, batch] {
    if (--batch->outstanding > 0) return;
    std::vector<worker_metrics_report> out;
    for (auto& r : batch->reports)
      if (r) out.push_back(std::move(*r));
    if (!out.empty() && self->state.coordinator) self->send(self->state.coordinator, atom::metrics_v, std::move(out));
  };
  for (std::size_t i = 0; i < st.workers.size(); ++i) {
    self->request(st.workers[i], seconds(st.config.request_timeout_s), atom::metrics_v)
      .then(
        [batch, i, finish_one, id = st.capabilities[i].id](worker_metrics& m) {
          if (m.utilization) m.utilization = finite_or(*m.utilization);
          if (m.temperature_c) m.temperature_c = finite_or(*m.temperature_c);
          if (m.power_w) m.power_w = finite_or(*m.power_w);
          if (m.power_limit_w) m.power_limit_w = finite_or(*m.power_limit_w);
          batch->reports[i] = worker_metrics_report{id, std::move(m)};
          finish_one();
        },
        [finish_one](caf::error&) { finish_one(); });
  }
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
      auto done = [rp, counts]() mutable {
        if (--counts->outstanding == 0) rp.deliver(counts->registered);
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
    [self](atom::sample) {
      sample_metrics(self);
      self->delayed_send(self, seconds(self->state.config.metrics_interval_s), atom::sample_v);
    },
  };
}

node_actor spawn_node(caf::actor_system& system, node_config config, std::vector<worker_capability> workers) {
  return system.spawn(node, std::move(config), std::move(workers));
}

} // namespace dtf
