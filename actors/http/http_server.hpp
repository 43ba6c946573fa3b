#pragma once
// The coordinator's HTTP endpoint (cpp-httplib, one thread pool of its own):
// /metrics (Prometheus text), /status, /tasks, /tasks/ID, /workers, /stats
// (JSON) and the live status page at /. Everything it shows comes from the
// observation board (actors/observation): the server never waits on an actor,
// and an actor never waits on it. Loopback by default; a bearer token is
// required for every data endpoint when one is set, and must be set to bind
// anywhere else. Requests and responses are bounded (timeouts, sizes).
// Neither CAF nor httplib appears here.
#include <cstddef>
#include <memory>
#include <string>

namespace dtf {

class observation_board;

struct http_server_options {
  std::string address = "127.0.0.1:0";  // HOST:PORT (port 0: any free port)
  /// Bearer token ("Authorization: Bearer TOKEN"); required on a non-loopback host.
  std::string token;
  double read_timeout_s = 5.0;
  double write_timeout_s = 5.0;
  /// Responses larger than this are refused with 507 and a hint.
  std::size_t max_response_bytes = 32u << 20;
  std::size_t threads = 4;
};

class http_server {
public:
  /// Throws std::invalid_argument for a bad address or a missing token.
  http_server(std::shared_ptr<observation_board> board, http_server_options options);
  ~http_server();  // stops
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and starts serving on a thread of its own; throws
  /// std::runtime_error when the address cannot be bound.
  void start();
  /// The bound port (after start).
  int port() const;
  /// http://HOST:PORT/
  std::string url() const;
  /// Stops accepting, finishes the requests in flight. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dtf
