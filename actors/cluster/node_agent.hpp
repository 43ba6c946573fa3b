#pragma once
// `dtf node`'s process: joins a coordinator through CAF's middleman with the
// workers it was given (spawned by the node actor, as in `dtf run`), and
// keeps it that way: it retries with backoff while the coordinator is away,
// and when the coordinator is lost (it exited, or went silent past the
// connection timeout) the workers end what they run and join again as fresh
// members. It does not rely on CAF alone to say so: it asks the coordinator
// now and then whether its workers are still members, and reconnects from
// scratch when the coordinator stops answering. CAF-free header.
#include "actors/cluster/middleman_settings.hpp"
#include "scheduler/model/worker.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dtf {

struct node_agent_config {
  std::string coordinator_host = "127.0.0.1";
  std::uint16_t coordinator_port = 4780;
  middleman_settings middleman;
  /// Prefixed to every worker id ("gpu-box-1/cuda0"): ids are unique in
  /// the cluster as long as node names are.
  std::string name;
  /// Run the hardware probes and offer one worker per device found.
  bool probe_local = true;
  bool cpu_by_numa = false;
  /// Slots of probed workers when > 0.
  int probed_slots = 0;
  /// Emulated workers (a fleet file), offered after the probed ones.
  std::vector<worker_capability> emulated;
  /// What offered_workers() gave; run() offers these.
  std::vector<worker_capability> workers;
  /// Emulated workers: wall seconds per modeled second.
  double time_scale = 1.0;
  /// Per-attempt stdout/stderr files of real commands (they stay on the node).
  std::string output_dir = "dtf-output";
  double metrics_interval_s = 5.0;
  /// A join (every worker enrolled) not answered within this is asked again,
  /// by the same node actor while the coordinator is connected (enrolling is
  /// idempotent at the coordinator).
  double join_timeout_s = 5.0;
  /// How often a joined node asks the coordinator whether its workers are
  /// still members (0: never). Fewer than all: the coordinator dropped them
  /// (declared lost) though this side of the connection saw nothing; they end
  /// what they ran and join again. No answer, twice in a row (and no joins
  /// answered, twice in a row): the connection is dead though CAF did not say
  /// so; the node reconnects with a fresh actor system (a new connection).
  double membership_check_s = 2.0;
  /// Backoff between attempts to reach the coordinator: first delay, doubled, capped.
  double retry_first_s = 0.2;
  double retry_max_s = 5.0;
};

/// The workers a node with this config offers: probed, then emulated, each
/// id prefixed with the node's name. Throws what the probes throw.
std::vector<worker_capability> offered_workers(const node_agent_config& config, std::vector<std::string>* warnings);

class node_agent {
public:
  explicit node_agent(node_agent_config config);
  ~node_agent();
  node_agent(const node_agent&) = delete;
  node_agent& operator=(const node_agent&) = delete;

  /// Joins and stays joined until stop(); `log` gets one line per event
  /// (joined, lost, retrying). Returns 0 after stop().
  int run(const std::function<void(const std::string&)>& log);
  /// Ends run() soon (from any thread, a signal watcher's included).
  void stop() { stopping_ = true; }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::atomic<bool> stopping_{false};
};

} // namespace dtf
