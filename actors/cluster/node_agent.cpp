#include "actors/cluster/node_agent.hpp"

#include "actors/cluster/cluster_system.hpp"
#include "actors/node_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>

namespace dtf {

struct node_agent::impl {
  node_agent_config config;
};

node_agent::node_agent(node_agent_config config) : impl_(std::make_unique<impl>()) {
  impl_->config = std::move(config);
}

node_agent::~node_agent() = default;

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

} // namespace

std::vector<worker_capability> offered_workers(const node_agent_config& config, std::vector<std::string>* warnings) {
  node_config probe;
  probe.probe_local = config.probe_local;
  probe.cpu_by_numa = config.cpu_by_numa;
  probe.probed_slots = config.probed_slots;
  probe.emulated = config.emulated;
  auto workers = node_workers(probe, warnings);
  if (!config.name.empty())
    for (auto& w : workers) w.id = config.name + "/" + w.id;
  return workers;
}

namespace {

/// One actor system of the node and the config it was made from (the
/// system keeps a reference to it).
struct node_system {
  caf::actor_system_config config;
  std::unique_ptr<caf::actor_system> system;
};

/// Why a session (one actor system) ended.
enum class session_end {
  stopped,     // stop() was called
  unanswered,  // the coordinator stopped answering over a connection CAF still calls up
};

/// Shuts a system down off the calling thread: the connection it holds is
/// dead in a way its middleman did not notice, and its shutdown may not end.
void retire(std::unique_ptr<node_system> old) {
  std::thread([old = std::move(old)]() mutable { old.reset(); }).detach();
}

/// Requests not answered in a row before the node reconnects from scratch.
constexpr int unanswered_limit = 2;

} // namespace

int node_agent::run(const std::function<void(const std::string&)>& log) {
  const auto& cfg = impl_->config;
  const std::string where = cfg.coordinator_host + ":" + std::to_string(cfg.coordinator_port);

  node_config nc;
  nc.probe_local = false;  // the workers come probed
  nc.worker.time_scale = cfg.time_scale;
  nc.worker.output_dir = cfg.output_dir;
  nc.metrics_interval_s = cfg.metrics_interval_s;
  nc.request_timeout_s = cfg.join_timeout_s;  // its requests: no longer than the join they answer

  auto pause = [this](double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!stopping_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };

  double backoff = cfg.retry_first_s;
  auto retry_later = [&](const std::string& why) {
    log(why + "; retrying in " + seconds_text(backoff));
    pause(backoff);
    backoff = std::min(backoff * 2, cfg.retry_max_s);
  };

  std::unique_ptr<tls_relay> connector;
  const auto route = route_to_coordinator(cfg.coordinator_host, cfg.coordinator_port, cfg.middleman, connector);

  // One session: connect, join, stay joined, join again after a loss, all
  // through one actor system, until stop() or until the coordinator stops
  // answering over a connection CAF still calls up.
  auto session = [&](caf::actor_system& sys) {
    caf::scoped_actor self{sys};
    int unanswered = 0;  // joins and membership checks in a row
    while (!stopping_) {
      std::string error;
      auto coordinator = connect_coordinator(sys, route.host, route.port, cfg.middleman, error);
      if (!coordinator && connector && !error.empty())
        error += " (through TLS: the gate refuses a certificate the cluster CA did not sign)";
      if (!coordinator) {
        retry_later("cannot reach the coordinator at " + where + ": " + error);
        continue;
      }
      // A fresh node actor (and workers) per membership: what ran under a
      // lost one was re-queued by the coordinator, so it is ended here.
      auto node = spawn_node(sys, nc, cfg.workers);
      self->monitor(coordinator);
      self->monitor(node);
      bool lost = false;
      bool node_down = false;
      bool dropped = false;
      auto on_down = [&](caf::down_msg& down) {
        if (down.source == coordinator.address()) {
          lost = true;
          unanswered = 0;  // CAF saw the connection go: the next one is a new one
        } else if (down.source == node.address()) {
          node_down = true;
        }
      };
      auto take_down_messages = [&] {
        for (bool more = true; more;) {
          more = false;
          self->receive(
            [&](caf::down_msg& down) {
              more = true;
              on_down(down);
            },
            caf::after(std::chrono::seconds(0)) >> [] {});
        }
      };
      auto give_up_connection = [&](const std::string& what) {
        if (++unanswered < unanswered_limit) return false;
        log("the coordinator at " + where + " answered none of " + std::to_string(unanswered) + " " + what +
            " in a row over a connection that looks up; reconnecting from scratch");
        return true;
      };
      bool reconnect = false;
      // Joining: the same node actor asks again while the coordinator is
      // connected (enrolling a worker it already has is answered yes again, so
      // a join whose reply was lost, or that found some ids still taken by
      // this node's earlier membership, is simply made again).
      bool joined = false;
      while (!stopping_ && !lost && !node_down && !reconnect) {
        std::uint64_t registered = 0;
        error.clear();
        self->request(node, seconds_span(cfg.join_timeout_s), atom::join_v, caf::actor_cast<caf::actor>(coordinator))
          .receive([&](std::uint64_t n) { registered = n; }, [&](caf::error& err) { error = sys.render(err); });
        if (error.empty() && registered == cfg.workers.size()) {
          joined = true;
          break;
        }
        take_down_messages();  // the coordinator lost meanwhile: connect again
        if (!error.empty() && !lost && give_up_connection("joins")) {
          reconnect = true;
          break;
        }
        if (error.empty()) unanswered = 0;
        retry_later(error.empty() ? "the coordinator at " + where + " took " + std::to_string(registered) + " of " +
                                      std::to_string(cfg.workers.size()) +
                                      " workers (the others' ids are taken: another node with this --name, or this "
                                      "node's earlier membership not yet declared lost)"
                                  : "joining the coordinator at " + where + " got no answer: " + error);
        take_down_messages();
      }
      if (joined) {
        backoff = cfg.retry_first_s;
        unanswered = 0;
        log("joined the coordinator at " + where + " with " + std::to_string(cfg.workers.size()) + " workers");
      }
      // Joined: CAF reports a lost connection as a down message; and now and
      // then the coordinator is asked whether it still counts these workers.
      auto next_check = std::chrono::steady_clock::now() + std::chrono::duration<double>(cfg.membership_check_s);
      while (joined && !stopping_ && !lost && !node_down && !dropped && !reconnect) {
        self->receive(on_down, caf::after(std::chrono::milliseconds(200)) >> [] {});
        if (lost || node_down || cfg.membership_check_s <= 0 || std::chrono::steady_clock::now() < next_check)
          continue;
        std::uint64_t members = 0;
        error.clear();
        self->request(node, seconds_span(cfg.join_timeout_s + 1.0), atom::member_v)
          .receive([&](std::uint64_t n) { members = n; }, [&](caf::error& err) { error = sys.render(err); });
        next_check = std::chrono::steady_clock::now() + std::chrono::duration<double>(cfg.membership_check_s);
        take_down_messages();
        if (lost || node_down) break;
        if (!error.empty()) {
          reconnect = give_up_connection("membership checks");
          continue;
        }
        unanswered = 0;
        if (members < cfg.workers.size()) {
          log("the coordinator at " + where + " counts " + std::to_string(members) + " of this node's " +
              std::to_string(cfg.workers.size()) +
              " workers as members (it declared the others lost); ending what they ran, joining again");
          dropped = true;
        }
      }
      caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
      self->demonitor(coordinator.address());
      self->demonitor(node.address());
      if (reconnect) return session_end::unanswered;
      if (lost) log("lost the coordinator at " + where + "; running tasks were ended, joining again");
      else if (node_down) log("the node's actors stopped; joining again");
    }
    return session_end::stopped;
  };

  while (!stopping_) {
    auto current = std::make_unique<node_system>();
    current->system = make_cluster_system(current->config, cfg.middleman);
    if (session(*current->system) == session_end::stopped) break;
    retire(std::move(current));
  }
  return 0;
}

} // namespace dtf
