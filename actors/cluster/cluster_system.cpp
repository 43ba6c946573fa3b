#include "actors/cluster/cluster_system.hpp"

#include "actors/system_setup.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <cmath>
#include <set>
#include <utility>

namespace dtf {

caf::timespan seconds_span(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  return std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(seconds));
}

std::unique_ptr<caf::actor_system> make_cluster_system(caf::actor_system_config& config,
                                                       const middleman_settings& settings) {
  configure_actor_system(config, settings.threads);
  config.load<caf::io::middleman>();
  config.set("middleman.heartbeat-interval", seconds_span(settings.heartbeat_interval_s));
  config.set("middleman.connection-timeout", seconds_span(settings.connection_timeout_s));
  return std::make_unique<caf::actor_system>(config);
}

coordinator_route route_to_coordinator(const std::string& host, std::uint16_t port, const middleman_settings& settings,
                                       std::unique_ptr<tls_relay>& connector) {
  if (!settings.tls.complete()) return {host, port};
  if (!connector)
    connector = std::make_unique<tls_relay>(tls_relay::role::connector, settings.tls, settings.gate, "127.0.0.1", 0,
                                            host, port);
  return {"127.0.0.1", connector->port()};
}

coordinator_actor connect_coordinator(caf::actor_system& system, const std::string& host, std::uint16_t port,
                                      const middleman_settings& settings, std::string& error) {
  coordinator_actor out;
  caf::scoped_actor self{system};
  self->request(system.middleman().actor_handle(), seconds_span(settings.connect_timeout_s), caf::connect_atom_v,
                host, port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& handle, const std::set<std::string>& interface) {
        if (!handle) {
          error = "no actor is published there";
          return;
        }
        if (interface != system.message_types<coordinator_actor>()) {
          error = "what listens there is not a coordinator of this dtf version";
          return;
        }
        out = caf::actor_cast<coordinator_actor>(std::move(handle));
      },
      [&](caf::error& err) { error = system.render(err); });
  return out;
}

} // namespace dtf
