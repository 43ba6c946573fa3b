#pragma once
// Where a coordinator listens: "HOST:PORT" as users write it.
#include <cstdint>
#include <string>

namespace dtf::app {

/// The port `dtf coordinator` listens on unless told otherwise.
constexpr std::uint16_t default_coordinator_port = 4780;

struct host_port {
  std::string host;
  std::uint16_t port = 0;
};

/// "HOST:PORT", "HOST" (default port) or ":PORT" (default host); IPv6 as
/// [::1]:PORT. Throws std::invalid_argument saying what is wrong.
host_port parse_host_port(const std::string& text, const std::string& default_host = "127.0.0.1",
                          std::uint16_t default_port = default_coordinator_port);

} // namespace dtf::app
