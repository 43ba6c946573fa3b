#pragma once
// Where the HTTP server listens: `HOST:PORT` as given to `dtf run --http`
// (127.0.0.1:9464, localhost:0, [::1]:8080, 0.0.0.0:9464; port 0 = any free
// port), and whether that host is a loopback address.
#include <string>
#include <string_view>

namespace dtf {

struct http_address {
  std::string host;  // as httplib binds it ("127.0.0.1", "::1", "0.0.0.0")
  int port = 0;      // 0: the system picks one
};

/// Throws std::invalid_argument with a message naming what is wrong.
http_address parse_http_address(std::string_view text);

/// 127.0.0.0/8, ::1 and "localhost": only this machine can connect.
bool is_loopback_host(std::string_view host);

} // namespace dtf
