// `dtf bench cluster --coordinator HOST:PORT`: what a running cluster does
// with no-op tasks (run it on emulated nodes with --time-scale 0; see
// scripts/bench-cluster, which starts a coordinator and two nodes, in
// plaintext and through the TLS gate). Prints figures, checks nothing:
//   throughput   N tasks submitted in batches; tasks/s from the first submit
//                to the last task finished (as this client hears of it)
//   latency      M tasks one at a time; submit-to-start = the attempt's start
//                on the node (unix time) minus the moment submit was called
//                (same host on loopback: one clock), p50 / p99 / max in ms
// With --results FILE every attempt's record is written as `dtf submit
// --results` writes it, while the clock runs (the writer is dtf submit's).
#include "actors/cluster/cluster_client.hpp"
#include "actors/runtime_outputs.hpp"
#include "apps/dtf/cluster_options.hpp"
#include "apps/dtf/host_port.hpp"
#include "apps/dtf/option_table.hpp"
#include "scheduler/input/input_error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace dtf::app {

namespace {

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

task noop_task(const std::string& id) {
  task t;
  t.id = id;
  t.type = task_type::test;
  t.command = {"true"};
  t.requirements.hardware = {device_kind::cpu};
  t.retries = 0;
  return t;
}

/// Finished tasks (this run's ids), with their attempts' start times.
struct finish_log {
  std::string prefix;  // this run's task ids start with it
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t finished = 0;
  std::size_t succeeded = 0;
  std::unordered_map<std::string, double> started_at_s;

  void on_update(const task_update& u) {
    if (u.kind != task_event_kind::finished && u.kind != task_event_kind::unplaceable &&
        u.kind != task_event_kind::rejected)
      return;
    if (u.task_id.rfind(prefix, 0) != 0) return;  // another submission's task
    std::lock_guard lock{mutex};
    ++finished;
    if (u.status == task_status::succeeded && u.kind == task_event_kind::finished) ++succeeded;
    if (u.report) started_at_s[u.task_id] = u.report->start_unix_s;
    changed.notify_all();
  }

  /// Waits (bounded) until `count` tasks finished; false on timeout.
  bool await(std::size_t count, double timeout_s) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, std::chrono::duration<double>(timeout_s), [&] { return finished >= count; });
  }
};

double percentile(std::vector<double> xs, double p) {
  if (xs.empty()) return 0.0;
  std::sort(xs.begin(), xs.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

} // namespace

int cluster_bench(int argc, char** argv) {
  std::string coordinator = "127.0.0.1:" + std::to_string(default_coordinator_port);
  std::string label = "cluster";
  int tasks = 20000, latency_tasks = 200, threads = 0;
  bool insecure = false;
  std::string results_path;
  middleman_settings settings;
  option_table table;
  table.text("", "--results", "write every attempt's record here (JSON Lines, as dtf submit --results)",
             results_path);
  table.text("client.coordinator", "--coordinator", "the coordinator, HOST:PORT", coordinator);
  table.whole("", "--tasks", "no-op tasks for the throughput figure", tasks, 1, 10000000);
  table.whole("", "--latency-tasks", "no-op tasks submitted one at a time for the latency figures", latency_tasks, 0,
              1000000);
  table.text("", "--label", "name of this configuration in the output", label);
  add_middleman_options(table, settings, threads, insecure);
  host_port where;
  try {
    if (!table.parse(argc, argv).empty()) throw input_error("", 0, "bench cluster", "takes no positional argument");
    if (table.help_requested()) {
      std::cout << "usage: dtf bench cluster --coordinator HOST:PORT [--tasks N] [--latency-tasks M] [--label L] "
                   "[TLS options]\n";
      table.describe(std::cout);
      return 0;
    }
    where = parse_host_port(coordinator);
    require_loopback(where.host, insecure, "--coordinator", "connect to", settings.tls);
  } catch (const std::exception& e) {
    std::cerr << "dtf bench cluster: " << e.what() << "\n";
    return 2;
  }
  try {
    finish_log log;
    const std::string prefix = "bench-" + std::to_string(static_cast<long long>(unix_now_s() * 1000)) + "-";
    log.prefix = prefix;
    std::unique_ptr<runtime_outputs> outputs;
    if (!results_path.empty()) outputs = std::make_unique<runtime_outputs>(results_path, "", "bench");
    cluster_client client{where.host, where.port, settings};
    client.subscribe([&log, &outputs, prefix](const task_update& u) {
      if (outputs && u.task_id.rfind(prefix, 0) == 0) outputs->on_update(u);
      log.on_update(u);  // after the record is written: the clock stops on the last one
    });
    client.connect();

    std::vector<task> batch;
    batch.reserve(static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i) batch.push_back(noop_task(prefix + "t" + std::to_string(i)));
    const auto begin = std::chrono::steady_clock::now();
    client.submit(std::move(batch));
    if (!log.await(static_cast<std::size_t>(tasks), 600)) throw std::runtime_error("throughput tasks did not finish");
    const double throughput_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

    std::vector<double> latency_ms;
    for (int i = 0; i < latency_tasks; ++i) {
      const auto id = prefix + "l" + std::to_string(i);
      const double submitted_at = unix_now_s();
      client.submit({noop_task(id)});
      if (!log.await(static_cast<std::size_t>(tasks + i + 1), 60)) throw std::runtime_error("a latency task did not finish");
      std::lock_guard lock{log.mutex};
      if (auto s = log.started_at_s.find(id); s != log.started_at_s.end())
        latency_ms.push_back(std::max(0.0, s->second - submitted_at) * 1000.0);
    }
    nlohmann::ordered_json out{{"label", label},
                               {"tasks", tasks},
                               {"succeeded", log.succeeded},
                               {"throughput_wall_s", throughput_s},
                               {"tasks_per_s", static_cast<double>(tasks) / std::max(throughput_s, 1e-9)},
                               {"latency_tasks", latency_ms.size()},
                               {"submit_to_start_ms_p50", percentile(latency_ms, 0.50)},
                               {"submit_to_start_ms_p99", percentile(latency_ms, 0.99)},
                               {"submit_to_start_ms_max", percentile(latency_ms, 1.0)}};
    std::cout << out.dump() << std::endl;
    return log.succeeded == static_cast<std::size_t>(tasks + latency_tasks) ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "dtf bench cluster: " << e.what() << "\n";
    return 1;
  }
}

} // namespace dtf::app
