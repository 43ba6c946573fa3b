#include "actors/cluster/node_agent.hpp"

#include "actors/cluster/cluster_system.hpp"
#include "actors/node_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>

namespace dtf {

struct node_agent::impl {
  node_agent_config config;
};

node_agent::node_agent(node_agent_config config) : impl_(std::make_unique<impl>()) {
  impl_->config = std::move(config);
}

node_agent::~node_agent() = default;

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

} // namespace

std::vector<worker_capability> offered_workers(const node_agent_config& config, std::vector<std::string>* warnings) {
  node_config probe;
  probe.probe_local = config.probe_local;
  probe.cpu_by_numa = config.cpu_by_numa;
  probe.probed_slots = config.probed_slots;
  probe.emulated = config.emulated;
  auto workers = node_workers(probe, warnings);
  if (!config.name.empty())
    for (auto& w : workers) w.id = config.name + "/" + w.id;
  return workers;
}

int node_agent::run(const std::function<void(const std::string&)>& log) {
  const auto& cfg = impl_->config;
  caf::actor_system_config caf_config;
  auto system = make_cluster_system(caf_config, cfg.middleman);
  auto& sys = *system;
  const std::string where = cfg.coordinator_host + ":" + std::to_string(cfg.coordinator_port);

  node_config nc;
  nc.probe_local = false;  // the workers come probed
  nc.worker.time_scale = cfg.time_scale;
  nc.worker.output_dir = cfg.output_dir;
  nc.metrics_interval_s = cfg.metrics_interval_s;
  nc.request_timeout_s = cfg.join_timeout_s;  // its enroll requests: no longer than the join they answer

  auto pause = [this](double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!stopping_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };

  double backoff = cfg.retry_first_s;
  auto retry_later = [&](const std::string& why) {
    log(why + "; retrying in " + seconds_text(backoff));
    pause(backoff);
    backoff = std::min(backoff * 2, cfg.retry_max_s);
  };

  std::unique_ptr<tls_relay> connector;
  const auto route = route_to_coordinator(cfg.coordinator_host, cfg.coordinator_port, cfg.middleman, connector);
  caf::scoped_actor self{sys};
  while (!stopping_) {
    std::string error;
    auto coordinator = connect_coordinator(sys, route.host, route.port, cfg.middleman, error);
    if (!coordinator && connector && !error.empty())
      error += " (through TLS: the gate refuses a certificate the cluster CA did not sign)";
    if (!coordinator) {
      retry_later("cannot reach the coordinator at " + where + ": " + error);
      continue;
    }
    // A fresh node actor (and workers) per connection: what ran under a lost
    // one was re-queued by the coordinator, so it is ended here.
    auto node = spawn_node(sys, nc, cfg.workers);
    self->monitor(coordinator);
    self->monitor(node);
    bool lost = false;
    bool node_down = false;
    auto on_down = [&](caf::down_msg& down) {
      if (down.source == coordinator.address()) lost = true;
      else if (down.source == node.address()) node_down = true;
    };
    // Joining: the same node actor asks again while the coordinator is
    // connected (enrolling a worker it already has is answered yes again, so
    // a join whose reply was lost, or that found some ids still taken by
    // this node's earlier membership, is simply made again).
    bool joined = false;
    while (!stopping_ && !lost && !node_down) {
      std::uint64_t registered = 0;
      error.clear();
      self->request(node, seconds_span(cfg.join_timeout_s), atom::join_v, caf::actor_cast<caf::actor>(coordinator))
        .receive([&](std::uint64_t n) { registered = n; }, [&](caf::error& err) { error = sys.render(err); });
      if (error.empty() && registered == cfg.workers.size()) {
        joined = true;
        break;
      }
      retry_later(error.empty() ? "the coordinator at " + where + " took " + std::to_string(registered) + " of " +
                                    std::to_string(cfg.workers.size()) +
                                    " workers (the others' ids are taken: another node with this --name, or this "
                                    "node's earlier membership not yet declared lost)"
                                : "joining the coordinator at " + where + " got no answer: " + error);
      // Down messages that came meanwhile (the coordinator lost: connect again).
      for (bool more = true; more;) {
        more = false;
        self->receive(
          [&](caf::down_msg& down) {
            more = true;
            on_down(down);
          },
          caf::after(std::chrono::seconds(0)) >> [] {});
      }
    }
    if (joined) {
      backoff = cfg.retry_first_s;
      log("joined the coordinator at " + where + " with " + std::to_string(cfg.workers.size()) + " workers");
    }
    while (joined && !stopping_ && !lost && !node_down)
      self->receive(on_down, caf::after(std::chrono::milliseconds(200)) >> [] {});
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    self->demonitor(coordinator.address());
    self->demonitor(node.address());
    if (lost) log("lost the coordinator at " + where + "; running tasks were ended, joining again");
    else if (node_down) log("the node's actors stopped; joining again");
  }
  return 0;
}

} // namespace dtf
