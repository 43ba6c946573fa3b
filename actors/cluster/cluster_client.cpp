#include "actors/cluster/cluster_client.hpp"

#include "actors/cluster/cluster_system.hpp"
#include "actors/update_listener.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace dtf {

namespace {

/// Tasks per submit request: one message each, sent one after the other.
constexpr std::size_t submit_batch = 2000;

} // namespace

struct cluster_client::impl {
  std::string host;
  std::uint16_t port = 0;
  middleman_settings settings;
  caf::actor_system_config caf_config;
  std::unique_ptr<tls_relay> connector;  // outlives the system (CAF's connection goes through it)
  std::unique_ptr<caf::actor_system> system;
  std::unique_ptr<caf::scoped_actor> self;  // monitors the coordinator; the caller's thread only
  coordinator_actor coordinator;
  update_listener_actor listener;
  std::shared_ptr<update_callbacks> callbacks = std::make_shared<update_callbacks>();
  bool lost = false;

  std::string where() const { return host + ":" + std::to_string(port); }

  caf::timespan timeout() const { return seconds_span(settings.request_timeout_s); }

  [[noreturn]] void fail(const std::string& what, const caf::error& err) {
    throw std::runtime_error(what + " (coordinator at " + where() + "): " + system->render(err));
  }

  void require_connected() const {
    if (!coordinator) throw std::logic_error("cluster_client: connect() first");
  }
};

cluster_client::cluster_client(std::string host, std::uint16_t port, middleman_settings settings)
  : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->settings = settings;
}

cluster_client::~cluster_client() {
  auto& d = *impl_;
  if (!d.system) return;
  if (d.listener) caf::anon_send_exit(d.listener, caf::exit_reason::user_shutdown);
  d.self.reset();
  d.system.reset();
}

void cluster_client::subscribe(std::function<void(const task_update&)> callback) {
  impl_->callbacks->push_back(std::move(callback));
}

void cluster_client::connect() {
  auto& d = *impl_;
  d.system = make_cluster_system(d.caf_config, d.settings);
  std::string error;
  const auto route = route_to_coordinator(d.host, d.port, d.settings, d.connector);
  d.coordinator = connect_coordinator(*d.system, route.host, route.port, d.settings, error);
  if (!d.coordinator && d.connector && !error.empty())
    error += " (through TLS: the gate refuses a certificate the cluster CA did not sign)";
  if (!d.coordinator) throw std::runtime_error("cannot reach the coordinator at " + d.where() + ": " + error);
  d.self = std::make_unique<caf::scoped_actor>(*d.system);
  (*d.self)->monitor(d.coordinator);
  if (!d.callbacks->empty()) {
    // No coordinator to fail: a client's output error is the client's.
    d.listener = spawn_update_listener(*d.system, d.callbacks, coordinator_actor{});
    // Sent before any submit from this thread, so it arrives first.
    (*d.self)->send(d.coordinator, atom::subscribe_v, caf::actor_cast<caf::actor>(d.listener));
  }
}

std::uint64_t cluster_client::submit(std::vector<task> tasks) {
  auto& d = *impl_;
  d.require_connected();
  std::uint64_t accepted = 0;
  for (std::size_t begin = 0; begin < tasks.size(); begin += submit_batch) {
    const auto end = std::min(tasks.size(), begin + submit_batch);
    std::vector<task> batch(std::make_move_iterator(tasks.begin() + static_cast<std::ptrdiff_t>(begin)),
                            std::make_move_iterator(tasks.begin() + static_cast<std::ptrdiff_t>(end)));
    caf::error failure;
    (*d.self)->request(d.coordinator, d.timeout(), atom::submit_v, std::move(batch))
      .receive([&](std::uint64_t n) { accepted += n; }, [&](caf::error& err) { failure = std::move(err); });
    if (failure) d.fail("submit failed", failure);
  }
  return accepted;
}

bool cluster_client::cancel(const std::string& task_id) {
  auto& d = *impl_;
  d.require_connected();
  bool cancelled = false;
  caf::error failure;
  (*d.self)->request(d.coordinator, d.timeout(), atom::cancel_v, task_id)
    .receive([&](bool ok) { cancelled = ok; }, [&](caf::error& err) { failure = std::move(err); });
  if (failure) d.fail("cancel failed", failure);
  return cancelled;
}

std::uint64_t cluster_client::cancel_all() {
  auto& d = *impl_;
  d.require_connected();
  std::uint64_t cancelled = 0;
  caf::error failure;
  (*d.self)->request(d.coordinator, d.timeout(), atom::cancel_v, atom::all_v)
    .receive([&](std::uint64_t n) { cancelled = n; }, [&](caf::error& err) { failure = std::move(err); });
  if (failure) d.fail("cancel failed", failure);
  return cancelled;
}

task_update cluster_client::status(const std::string& task_id) {
  auto& d = *impl_;
  d.require_connected();
  task_update out;
  caf::error failure;
  (*d.self)->request(d.coordinator, d.timeout(), atom::status_v, task_id)
    .receive([&](task_update& u) { out = std::move(u); }, [&](caf::error& err) { failure = std::move(err); });
  if (failure) d.fail("status failed", failure);
  return out;
}

runtime_stats cluster_client::stats() {
  auto& d = *impl_;
  d.require_connected();
  runtime_stats out;
  caf::error failure;
  (*d.self)->request(d.coordinator, d.timeout(), atom::stats_v)
    .receive([&](runtime_stats& s) { out = std::move(s); }, [&](caf::error& err) { failure = std::move(err); });
  if (failure) d.fail("stats failed", failure);
  return out;
}

bool cluster_client::coordinator_alive_after(double seconds) {
  auto& d = *impl_;
  d.require_connected();
  if (d.lost) return false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::max(0.0, seconds));
  while (!d.lost) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= decltype(left)::zero()) break;
    (*d.self)->receive(
      [&](caf::down_msg& down) {
        if (down.source == d.coordinator.address()) d.lost = true;
      },
      caf::after(std::chrono::duration_cast<caf::timespan>(left)) >> [] {});
  }
  return !d.lost;
}

void cluster_client::flush_updates() {
  auto& d = *impl_;
  if (!d.listener) return;
  (*d.self)->request(d.listener, d.timeout(), atom::flush_v).receive([](bool) {}, [](caf::error&) {});
}

} // namespace dtf
