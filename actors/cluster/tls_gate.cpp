#include "actors/cluster/tls_gate.hpp"

#include "scheduler/input/input_error.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dtf {

namespace {

using clock_type = std::chrono::steady_clock;

/// Bytes buffered per direction before that side stops being read.
constexpr std::size_t buffer_cap = 1 << 20;
constexpr std::size_t basp_header_bytes = 32;  // caf::io::basp::header_size
constexpr std::size_t payload_length_offset = 4;

std::string openssl_error() {
  std::string out;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string{buf};
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

/// The files into ctx; input_error naming the option on failure (the ctx is
/// the caller's to free).
void load_tls_files(SSL_CTX* ctx, const tls_files& files) {
  const auto fail = [](const char* option, const std::string& what) {
    throw input_error("", 0, option, what + ": " + openssl_error());
  };
  if (SSL_CTX_use_certificate_chain_file(ctx, files.certificate.c_str()) != 1)
    fail("--tls-cert", "cannot use the certificate " + files.certificate);
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("--tls-key", "cannot use the key " + files.key);
  if (SSL_CTX_check_private_key(ctx) != 1)
    fail("--tls-key", "the key " + files.key + " does not match the certificate " + files.certificate);
  if (SSL_CTX_load_verify_locations(ctx, files.ca.c_str(), nullptr) != 1)
    fail("--tls-ca", "cannot use the CA " + files.ca);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/// A TCP socket connected to host:port within timeout_s (blocking connect with
/// a send timeout), or -1.
int connect_to(const std::string& host, std::uint16_t port, double timeout_s) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (auto* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_s);
    tv.tv_usec = static_cast<suseconds_t>((timeout_s - static_cast<double>(tv.tv_sec)) * 1e6);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd >= 0) {
    set_nonblocking(fd);
    set_nodelay(fd);
  }
  return fd;
}

int listen_on(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ::gai_strerror(rc));
  int fd = -1;
  int last_errno = 0;
  for (auto* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      last_errno = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             std::strerror(last_errno));
  set_nonblocking(fd);
  return fd;
}

struct link {
  int outer = -1;  // TLS
  int inner = -1;  // plaintext, loopback
  SSL* ssl = nullptr;
  bool handshaken = false;
  bool want_write = false;
  bool dead = false;
  std::string to_outer;  // plaintext waiting for SSL_write
  std::string to_inner;  // decrypted, waiting for the loopback socket
  clock_type::time_point handshake_deadline;
  clock_type::time_point last_activity;
  // BASP frame check of what goes to the middleman (gate only).
  unsigned char header[basp_header_bytes] = {};
  std::size_t header_fill = 0;
  std::uint64_t payload_left = 0;

  ~link() {
    if (ssl) SSL_free(ssl);
    if (outer >= 0) ::close(outer);
    if (inner >= 0) ::close(inner);
  }
};

} // namespace

struct tls_relay::impl {
  role mode = role::gate;
  gate_limits limits;
  std::string target_host;
  std::uint16_t target_port = 0;
  SSL_CTX* ctx = nullptr;
  int listener = -1;
  std::uint16_t port = 0;
  int wake[2] = {-1, -1};
  std::atomic<bool> stop{false};
  std::thread thread;
  mutable std::mutex counters_mutex;
  gate_counters counters;
  std::list<link> links;

  void count(std::uint64_t gate_counters::*field) {
    std::lock_guard lock{counters_mutex};
    ++(counters.*field);
  }

  /// False when a frame's payload exceeds the cap.
  bool frames_ok(link& l, const char* data, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
      if (l.payload_left > 0) {
        const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(l.payload_left, n - i));
        l.payload_left -= k;
        i += k;
        continue;
      }
      const auto k = std::min(basp_header_bytes - l.header_fill, n - i);
      std::memcpy(l.header + l.header_fill, data + i, k);
      l.header_fill += k;
      i += k;
      if (l.header_fill == basp_header_bytes) {
        const unsigned char* p = l.header + payload_length_offset;
        const std::uint32_t length = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                                     (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
        if (length > limits.max_frame_bytes) return false;
        l.payload_left = length;
        l.header_fill = 0;
      }
    }
    return true;
  }

  std::size_t open_links() const {
    return static_cast<std::size_t>(std::count_if(links.begin(), links.end(), [](const link& l) { return !l.dead; }));
  }

  void accept_new() {
    for (;;) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      if (open_links() >= limits.max_connections) {
        // Full: the oldest connection still in its handshake makes room (a
        // flood of silent connections cannot keep out a peer that completes
        // one); only authenticated connections are never displaced.
        auto oldest = std::find_if(links.begin(), links.end(), [](const link& l) { return !l.dead && !l.handshaken; });
        count(&gate_counters::refused_capacity);
        if (oldest == links.end()) {
          ::close(fd);
          continue;
        }
        oldest->dead = true;  // closed when this round ends
      }
      set_nodelay(fd);
      auto& l = links.emplace_back();
      l.handshake_deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                     std::chrono::duration<double>(limits.handshake_timeout_s));
      l.last_activity = clock_type::now();
      if (mode == role::gate) {
        l.outer = fd;
      } else {
        l.inner = fd;
        l.outer = connect_to(target_host, target_port, limits.handshake_timeout_s);
        if (l.outer < 0) {
          l.dead = true;
          count(&gate_counters::refused_handshake);
          continue;
        }
      }
      l.ssl = SSL_new(ctx);
      SSL_set_fd(l.ssl, l.outer);
      SSL_set_mode(l.ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
      if (mode == role::gate) SSL_set_accept_state(l.ssl);
      else SSL_set_connect_state(l.ssl);
      handshake(l);
    }
  }

  void handshake(link& l) {
    const int rc = SSL_do_handshake(l.ssl);
    if (rc == 1) {
      l.handshaken = true;
      l.want_write = false;
      count(&gate_counters::accepted);
      if (mode == role::gate) {
        l.inner = connect_to(target_host, target_port, limits.handshake_timeout_s);
        if (l.inner < 0) l.dead = true;
      }
      return;
    }
    const int err = SSL_get_error(l.ssl, rc);
    if (err == SSL_ERROR_WANT_READ) l.want_write = false;
    else if (err == SSL_ERROR_WANT_WRITE) l.want_write = true;
    else {
      ERR_clear_error();
      l.dead = true;
      count(&gate_counters::refused_handshake);
    }
  }

  /// After an SSL call that moved nothing: wait for the socket to become
  /// writable or readable, or give the link up.
  static void after_stall(link& l, int rc) {
    const int err = SSL_get_error(l.ssl, rc);
    if (err == SSL_ERROR_WANT_WRITE) l.want_write = true;
    else if (err != SSL_ERROR_WANT_READ) l.dead = true;
    ERR_clear_error();
  }

  void relay(link& l) {
    char buf[16384];
    bool moved = false;
    l.want_write = false;
    // TLS -> loopback.
    while (!l.dead && l.to_inner.size() < buffer_cap) {
      const int n = SSL_read(l.ssl, buf, sizeof buf);
      if (n > 0) {
        if (mode == role::gate && !frames_ok(l, buf, static_cast<std::size_t>(n))) {
          count(&gate_counters::refused_frame);
          l.dead = true;
          break;
        }
        l.to_inner.append(buf, static_cast<std::size_t>(n));
        moved = true;
        continue;
      }
      after_stall(l, n);
      break;
    }
    // Loopback -> TLS.
    while (!l.dead && l.to_outer.size() < buffer_cap) {
      const auto n = ::recv(l.inner, buf, sizeof buf, 0);
      if (n > 0) {
        l.to_outer.append(buf, static_cast<std::size_t>(n));
        moved = true;
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) l.dead = true;
      break;
    }
    while (!l.to_inner.empty() && l.inner >= 0) {
      const auto n = ::send(l.inner, l.to_inner.data(), l.to_inner.size(), MSG_NOSIGNAL);
      if (n > 0) {
        l.to_inner.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) l.dead = true;
      break;
    }
    while (!l.to_outer.empty()) {
      const int n = SSL_write(l.ssl, l.to_outer.data(), static_cast<int>(std::min<std::size_t>(l.to_outer.size(), 1 << 16)));
      if (n > 0) {
        l.to_outer.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      after_stall(l, n);
      break;
    }
    if (moved) l.last_activity = clock_type::now();
  }

  void run() {
    // SIGPIPE from a write to a closed TLS socket stays with this thread
    // (blocked here), the write fails with EPIPE instead of killing dtf.
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
    std::vector<pollfd> fds;
    std::vector<link*> owners;
    while (!stop) {
      fds.clear();
      owners.clear();
      fds.push_back({wake[0], POLLIN, 0});
      fds.push_back({listener, POLLIN, 0});
      int timeout_ms = 200;
      for (auto& l : links) {
        short outer_events = 0;
        if (!l.handshaken) outer_events = l.want_write ? POLLOUT : POLLIN;
        else {
          if (l.to_inner.size() < buffer_cap) outer_events |= POLLIN;
          if (!l.to_outer.empty() || l.want_write) outer_events |= POLLOUT;
          if (SSL_pending(l.ssl) > 0 && l.to_inner.size() < buffer_cap) timeout_ms = 0;
        }
        fds.push_back({l.outer, outer_events, 0});
        owners.push_back(&l);
        if (l.inner >= 0 && l.handshaken) {
          short inner_events = 0;
          if (l.to_outer.size() < buffer_cap) inner_events |= POLLIN;
          if (!l.to_inner.empty()) inner_events |= POLLOUT;
          fds.push_back({l.inner, inner_events, 0});
          owners.push_back(&l);
        }
      }
      ::poll(fds.data(), fds.size(), timeout_ms);
      if (fds[0].revents & POLLIN) {
        char drain[64];
        while (::read(wake[0], drain, sizeof drain) > 0) {}
      }
      if (fds[1].revents & POLLIN) accept_new();
      for (std::size_t i = 2; i < fds.size(); ++i) {
        auto& l = *owners[i - 2];
        if (l.dead || !fds[i].revents) continue;
        if (fds[i].revents & (POLLERR | POLLNVAL)) {
          l.dead = true;
          continue;
        }
      }
      const auto now = clock_type::now();
      for (auto& l : links) {
        if (l.dead) continue;
        if (!l.handshaken) {
          handshake(l);
          if (!l.handshaken && !l.dead && now > l.handshake_deadline) {
            l.dead = true;
            count(&gate_counters::refused_handshake);
          }
        }
        if (l.handshaken && !l.dead) relay(l);
        if (!l.dead && l.handshaken &&
            now - l.last_activity > std::chrono::duration<double>(limits.idle_timeout_s)) {
          l.dead = true;
          count(&gate_counters::idle_closed);
        }
      }
      links.remove_if([](const link& l) { return l.dead; });
    }
    links.clear();
    // Consume a SIGPIPE left pending on this thread.
    timespec zero{};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) > 0) {}
  }
};

void check_tls_files(const tls_files& files) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (!ctx) throw std::runtime_error("TLS: " + openssl_error());
  try {
    load_tls_files(ctx, files);
  } catch (...) {
    SSL_CTX_free(ctx);
    throw;
  }
  SSL_CTX_free(ctx);
}

tls_relay::tls_relay(role r, const tls_files& files, const gate_limits& limits, const std::string& listen_host,
                     std::uint16_t listen_port, const std::string& target_host, std::uint16_t target_port)
  : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  d.mode = r;
  d.limits = limits;
  d.target_host = target_host;
  d.target_port = target_port;
  d.ctx = SSL_CTX_new(r == role::gate ? TLS_server_method() : TLS_client_method());
  if (!d.ctx) throw std::runtime_error("TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(d.ctx, TLS1_2_VERSION);
  try {
    load_tls_files(d.ctx, files);
  } catch (...) {
    SSL_CTX_free(d.ctx);
    d.ctx = nullptr;
    throw;
  }
  // Mutual TLS: each side must present a certificate the cluster CA signed.
  SSL_CTX_set_verify(d.ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  try {
    d.listener = listen_on(r == role::gate ? listen_host : "127.0.0.1", r == role::gate ? listen_port : 0);
  } catch (...) {
    SSL_CTX_free(d.ctx);
    d.ctx = nullptr;
    throw;
  }
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(d.listener, reinterpret_cast<sockaddr*>(&address), &length);
  d.port = ntohs(address.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (::pipe2(d.wake, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("TLS gate: cannot create a pipe");
  d.thread = std::thread{[&d] { d.run(); }};
}

tls_relay::~tls_relay() {
  auto& d = *impl_;
  d.stop = true;
  if (d.wake[1] >= 0) (void)!::write(d.wake[1], "x", 1);
  if (d.thread.joinable()) d.thread.join();
  if (d.listener >= 0) ::close(d.listener);
  for (int fd : d.wake)
    if (fd >= 0) ::close(fd);
  if (d.ctx) SSL_CTX_free(d.ctx);
}

std::uint16_t tls_relay::port() const { return impl_->port; }

gate_counters tls_relay::counters() const {
  std::lock_guard lock{impl_->counters_mutex};
  return impl_->counters;
}

} // namespace dtf
