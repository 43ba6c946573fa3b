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
  auto port = d.system->middleman().publish(d.coordinator, d.config.port, d.config.host.c_str(), true);
  if (!port) {
    auto why = d.system->render(port.error());
    stop();
    throw std::runtime_error("cannot listen on " + d.config.host + ":" + std::to_string(d.config.port) + ": " + why);
  }
  return *port;
}

void coordinator_service::stop() {
  auto& d = *impl_;
  if (!d.system || d.stopped) return;
  d.stopped = true;
  if (d.coordinator) caf::anon_send_exit(d.coordinator, caf::exit_reason::user_shutdown);
  d.system.reset();
}

} // namespace dtf
