#include "actors/http/http_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

namespace dtf {

http_address parse_http_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    throw std::invalid_argument("expected HOST:PORT (for instance 127.0.0.1:9464), got '" + std::string{text} + "'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port < 0 || port > 65535)
    throw std::invalid_argument("the port must be a number from 0 to 65535, got '" + std::string{port_text} + "'");
  std::string h{host};
  if (h == "localhost") h = "127.0.0.1";
  unsigned char buffer[16];
  if (::inet_pton(AF_INET, h.c_str(), buffer) != 1 && ::inet_pton(AF_INET6, h.c_str(), buffer) != 1)
    throw std::invalid_argument("the host must be an IP address or localhost, got '" + std::string{host} + "'");
  return {h, port};
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  std::string h{host};
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

} // namespace dtf
