// `dtf node --coordinator HOST:PORT`: offers this machine's workers (probed)
// and an emulated fleet (--fleet) to a coordinator, runs what it is given,
// and stays joined: retries with backoff while the coordinator is away and
// joins again after losing it. Runs until SIGINT or SIGTERM (exit 0); exit 2
// for bad input.
#include "actors/cluster/node_agent.hpp"
#include "apps/dtf/clock_text.hpp"
#include "apps/dtf/cluster_options.hpp"
#include "apps/dtf/host_port.hpp"
#include "apps/dtf/interrupt_watch.hpp"
#include "apps/dtf/option_table.hpp"
#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <exception>
#include <iostream>

#include <unistd.h>

namespace dtf::app {

namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "node";
  return buf;
}

} // namespace

int node_command(int argc, char** argv) {
  node_agent_config config;
  std::string coordinator = "127.0.0.1:" + std::to_string(default_coordinator_port);
  std::string fleet_path;
  int threads = 0;
  bool insecure = false;
  config.name = host_name();
  option_table table;
  table.text("node.coordinator", "--coordinator", "the coordinator to join, HOST:PORT", coordinator);
  table.text("node.name", "--name", "this node's name, prefixed to its worker ids (unique per cluster)",
             config.name);
  table.text("node.fleet", "--fleet", "emulated workers to offer (YAML or JSON fleet file)", fleet_path);
  table.boolean("node.local", "--local", "probe this machine and offer its devices (--no-local: the fleet only)",
                config.probe_local);
  table.boolean("node.by-numa", "--by-numa", "one CPU worker per NUMA node instead of per package",
                config.cpu_by_numa);
  table.whole("node.slots", "--slots", "concurrent tasks per probed worker (0: the coordinator's default)",
              config.probed_slots, 0, max_worker_slots);
  table.number("node.time-scale", "--time-scale", "wall seconds per modeled second on emulated workers",
               config.time_scale, 0, max_time_scale);
  table.text("node.output-dir", "--output-dir", "per-attempt stdout/stderr files (they stay on this node)",
             config.output_dir);
  table.duration("node.metrics-interval", "--metrics-interval", "how often live metrics are sent (0: never)",
                 config.metrics_interval_s, 0, max_metrics_interval_s);
  table.duration("node.retry-max", "--retry-max", "longest wait between attempts to reach the coordinator",
                 config.retry_max_s, 0.01, 3600);
  table.duration("node.join-timeout", "--join-timeout",
                 "a join the coordinator did not answer within this is made again", config.join_timeout_s, 0.01,
                 3600);
  table.duration("node.membership-check", "--membership-check",
                 "how often a joined node asks the coordinator whether it still counts its workers (0: never)",
                 config.membership_check_s, 0, 3600);
  add_middleman_options(table, config.middleman, threads, insecure);
  try {
    auto positional = table.parse(argc, argv);
    if (table.help_requested()) {
      std::cout << "usage: dtf node --coordinator HOST:PORT [--fleet FLEET] [--no-local] [--config FILE] "
                   "[--dump-config] [options]\noptions (flag, config key, what, [value]):\n";
      table.describe(std::cout);
      return 0;
    }
    if (!positional.empty()) throw input_error("", 0, positional.front(), "unexpected argument");
    try {
      auto where = parse_host_port(coordinator);
      config.coordinator_host = where.host;
      config.coordinator_port = where.port;
    } catch (const std::invalid_argument& e) {
      throw input_error("", 0, "--coordinator", e.what());
    }
    require_loopback(config.coordinator_host, insecure, "--coordinator", "connect to", config.middleman.tls,
                     !table.dump_requested());
    if (config.name.empty() || config.name.find('/') != std::string::npos)
      throw input_error("", 0, "--name", "must be non-empty and without '/'");
    config.middleman.threads = static_cast<std::size_t>(threads);
    if (!fleet_path.empty()) config.emulated = parse_fleet_file(fleet_path);
    if (table.dump_requested()) {
      table.dump(std::cout);
      return 0;
    }
    if (!config.probe_local && config.emulated.empty())
      throw input_error("", 0, "--no-local", "needs --fleet (there would be no workers)");
  } catch (const std::exception& e) {
    std::cerr << "dtf node: " << e.what() << "\n";
    return 2;
  }
  interrupt_watch interrupts;  // before any thread starts
  try {
    std::vector<std::string> warnings;
    config.workers = offered_workers(config, &warnings);
    for (const auto& w : warnings) std::cerr << "dtf node: " << w << "\n";
    std::cout << "dtf node '" << config.name << "': " << config.workers.size() << " workers";
    for (const auto& w : config.workers)
      std::cout << (&w == &config.workers.front() ? " (" : ", ") << w.id << (w.emulated ? "*" : "");
    std::cout << (config.workers.empty() ? "" : "; * emulated)") << std::endl;
    node_agent agent{config};
    interrupts.on_interrupt([&agent](const char*) { agent.stop(); });
    return agent.run([](const std::string& line) { std::cout << "dtf node: " << clock_text() << " " << line << std::endl; });
  } catch (const input_error& e) {
    std::cerr << "dtf node: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dtf node: " << e.what() << "\n";
    return 1;
  }
}

} // namespace dtf::app
