#pragma once
// What every dtf process of a cluster shares (coordinator, node, submit and
// the other clients): an actor system with dtf's message types and CAF's
// middleman, heartbeats on and a connection timeout, so that a peer that
// hangs is declared dead like one that exits; and a connect with a finite
// timeout (CAF's remote_actor waits without end on a peer that accepts the
// connection but never answers). CAF layer, internal.
#include "actors/cluster/middleman_settings.hpp"
#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace dtf {

/// An actor system for a cluster process (configures `config` first).
std::unique_ptr<caf::actor_system> make_cluster_system(caf::actor_system_config& config,
                                                       const middleman_settings& settings);

/// The coordinator published at host:port, within settings.connect_timeout_s;
/// an empty handle and `error` saying why when not.
coordinator_actor connect_coordinator(caf::actor_system& system, const std::string& host, std::uint16_t port,
                                      const middleman_settings& settings, std::string& error);

/// Where CAF connects to reach the coordinator at host:port: there itself in
/// plaintext, or a local TLS connector (started here, kept in `connector`).
struct coordinator_route {
  std::string host;
  std::uint16_t port = 0;
};
coordinator_route route_to_coordinator(const std::string& host, std::uint16_t port, const middleman_settings& settings,
                                       std::unique_ptr<tls_relay>& connector);

/// Seconds as CAF's timespan (negative and non-finite as 0).
caf::timespan seconds_span(double seconds);

} // namespace dtf
