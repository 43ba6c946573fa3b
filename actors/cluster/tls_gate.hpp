#pragma once
// The TLS gate in front of CAF's middleman (CAF-free; OpenSSL). CAF 0.17's
// middleman trusts whoever connects, so it only ever listens on loopback and
// every byte from another machine comes through a gate:
//
//   - gate (dtf coordinator): listens for TLS on the public address; a peer
//     must present a certificate signed by the cluster CA (mutual TLS); the
//     handshake has a deadline, connections are capped, an idle one is
//     closed, and every BASP frame's payload length is checked against a cap
//     before a byte of it reaches the middleman on 127.0.0.1.
//   - connector (dtf node, submit, ...): listens on 127.0.0.1 for CAF and
//     opens TLS to a gate for each connection, checking the gate's
//     certificate against the same CA.
//
// One thread relays every connection with non-blocking sockets.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace dtf {

/// PEM files: this process's certificate and key, and the cluster CA.
struct tls_files {
  std::string certificate;
  std::string key;
  std::string ca;
  bool any() const { return !certificate.empty() || !key.empty() || !ca.empty(); }
  bool complete() const { return !certificate.empty() && !key.empty() && !ca.empty(); }
};

struct gate_limits {
  double handshake_timeout_s = 5.0;
  /// Nothing in either direction this long closes the connection (the
  /// middleman's heartbeats keep a live one busy).
  double idle_timeout_s = 60.0;
  /// Connections at once; at the cap a newcomer displaces the oldest one
  /// still in its handshake, and is refused only when all are authenticated.
  std::size_t max_connections = 256;
  /// Largest BASP payload let through to the middleman.
  std::uint32_t max_frame_bytes = 64u << 20;
};

struct gate_counters {
  std::uint64_t accepted = 0;          // TLS handshakes that succeeded
  std::uint64_t refused_handshake = 0; // failed or timed out (foreign certificate, garbage, silence)
  std::uint64_t refused_capacity = 0;  // over max_connections (refused, or displaced in its handshake)
  std::uint64_t refused_frame = 0;     // a frame over max_frame_bytes
  std::uint64_t idle_closed = 0;
};

/// Loads the three files as a relay would (certificate chain, its key, the
/// CA; the key must match the certificate): throws dtf::input_error naming
/// the option (--tls-cert, --tls-key, --tls-ca) and OpenSSL's reason, so a
/// bad file is bad input (exit 2) before anything starts.
void check_tls_files(const tls_files& files);

class tls_relay {
public:
  enum class role {
    gate,       // TLS in on listen_host:listen_port, plaintext out to target (loopback)
    connector,  // plaintext in on 127.0.0.1 (any free port), TLS out to target
  };

  /// Loads the files (input_error naming the option, as check_tls_files) and
  /// listens; throws std::runtime_error naming the file
  /// or the address on failure. The relay thread starts at once.
  tls_relay(role r, const tls_files& files, const gate_limits& limits, const std::string& listen_host,
            std::uint16_t listen_port, const std::string& target_host, std::uint16_t target_port);
  ~tls_relay();
  tls_relay(const tls_relay&) = delete;
  tls_relay& operator=(const tls_relay&) = delete;

  /// The port it listens on.
  std::uint16_t port() const;
  gate_counters counters() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dtf
