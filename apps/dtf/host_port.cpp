#include "apps/dtf/host_port.hpp"

#include <charconv>
#include <stdexcept>

namespace dtf::app {

host_port parse_host_port(const std::string& text, const std::string& default_host, std::uint16_t default_port) {
  host_port out{default_host, default_port};
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) throw std::invalid_argument("'[' without ']' in '" + text + "'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') throw std::invalid_argument("expected ':' after ']' in '" + text + "'");
      port = text.substr(close + 2);
      if (port.empty()) throw std::invalid_argument("no port after ':' in '" + text + "'");
    }
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) throw std::invalid_argument("no port after ':' in '" + text + "'");
  }
  if (!host.empty()) out.host = host;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc{} || end != port.data() + port.size() || value > 65535)
      throw std::invalid_argument("port must be a number from 0 to 65535, got '" + port + "'");
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

} // namespace dtf::app
