#include "actors/cluster/coordinator_service.hpp"

#include "actors/cluster/cluster_system.hpp"
#include "actors/coordinator.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include <stdexcept>
#include <utility>

namespace dtf {

struct coordinator_service::impl {
  coordinator_service_config config;
  caf::actor_system_config caf_config;
  std::unique_ptr<caf::actor_system> system;
  coordinator_actor coordinator;
  std::unique_ptr<tls_relay> gate;
  bool stopped = false;
};

coordinator_service::coordinator_service(coordinator_service_config config) : impl_(std::make_unique<impl>()) {
  impl_->config = std::move(config);
}

coordinator_service::~coordinator_service() {
  try {
    stop();
  } catch (...) {
    // Destructors never throw.
  }
}

std::uint16_t coordinator_service::start() {
  auto& d = *impl_;
  d.system = make_cluster_system(d.caf_config, d.config.middleman);
  coordinator_config cc;
  cc.scheduling = d.config.scheduling;
  cc.scheduling.max_tasks_per_worker = d.config.max_tasks_per_worker;
  cc.policy = d.config.policy;
  cc.scheduler_window = d.config.scheduler_window;
  cc.retry_backoff_s = d.config.retry_backoff_s;
  cc.retry_backoff_max_s = d.config.retry_backoff_max_s;
  cc.membership_log = d.config.log;
  d.coordinator = spawn_coordinator(*d.system, std::move(cc));
  const bool tls = d.config.middleman.tls.complete();
  // Behind the gate the middleman listens on loopback only, on any free port.
  const std::string host = tls ? "127.0.0.1" : d.config.host;
  const std::uint16_t wanted = tls ? 0 : d.config.port;
  auto port = d.system->middleman().publish(d.coordinator, wanted, host.c_str(), true);
  if (!port) {
    auto why = d.system->render(port.error());
    stop();
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(wanted) + ": " + why);
  }
  if (!tls) return *port;
  try {
    d.gate = std::make_unique<tls_relay>(tls_relay::role::gate, d.config.middleman.tls, d.config.middleman.gate,
                                         d.config.host, d.config.port, "127.0.0.1", *port);
  } catch (...) {
    stop();
    throw;
  }
  return d.gate->port();
}

void coordinator_service::stop() {
  auto& d = *impl_;
  if (!d.system || d.stopped) return;
  d.stopped = true;
  d.gate.reset();  // no new connections while the actors stop
  if (d.coordinator) caf::anon_send_exit(d.coordinator, caf::exit_reason::user_shutdown);
  d.system.reset();
}

} // namespace dtf
