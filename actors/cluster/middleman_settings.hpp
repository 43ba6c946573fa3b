#pragma once
// How the processes of a cluster talk (CAF-free): CAF's middleman heartbeat
// and connection timeout, and dtf's timeouts on connecting and on every
// request to another process.
#include "actors/cluster/tls_gate.hpp"

#include <cstddef>

namespace dtf {

struct middleman_settings {
  /// Every process sends a heartbeat this often (middleman.heartbeat-interval).
  double heartbeat_interval_s = 1.0;
  /// A peer silent this long is declared dead: its actors go down and its
  /// tasks are re-queued (middleman.connection-timeout). Detection takes at
  /// most this plus one heartbeat interval.
  double connection_timeout_s = 4.0;
  /// Connecting to a coordinator (TCP and CAF's handshake) gives up after this.
  double connect_timeout_s = 10.0;
  /// Every request to another process gives up after this.
  double request_timeout_s = 30.0;
  /// CAF worker threads (0 = one per core).
  std::size_t threads = 0;
  /// Mutual TLS: with all three files, the coordinator listens through a gate
  /// (its middleman on 127.0.0.1 only) and nodes and clients connect through
  /// a local connector; without them, plaintext (loopback unless --insecure).
  tls_files tls;
  gate_limits gate;
};

} // namespace dtf
