// `dtf submit SUITE --coordinator HOST:PORT`: submits a suite to a running
// coordinator. With --wait (implied by --results and --junit) it follows the
// suite's tasks to the end and gives what `dtf run` gives: progress, the
// summary (or --stats json), results JSON Lines, JUnit XML, and exit 0 only
// if every task succeeded, 1 if any did not (or the coordinator was lost),
// 2 for bad input, 130/143 when interrupted (the suite's unfinished tasks are
// cancelled on the coordinator). Without --wait: exit 0 once every task was
// accepted.
#include "actors/cluster/cluster_client.hpp"
#include "actors/run_progress.hpp"
#include "actors/runtime_outputs.hpp"
#include "actors/task_counts.hpp"
#include "apps/dtf/cluster_options.hpp"
#include "apps/dtf/host_port.hpp"
#include "apps/dtf/interrupt_watch.hpp"
#include "apps/dtf/option_table.hpp"
#include "apps/dtf/run_summary.hpp"
#include "apps/dtf/suite_worker_load.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/input/suite_parser.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <iostream>
#include <memory>
#include <unordered_set>

namespace dtf::app {

namespace {

/// What the summary says the workers' figures cover.
const char* const suite_workers_cover = "this suite's attempts";

/// The statistics of this suite's tasks (the coordinator's counts cover
/// every submission it had): its counts, as its rows say (count_tasks), and
/// each worker's attempts and busy time over its wall time; the scheduler's
/// statistics are the coordinator's.
runtime_stats suite_stats(runtime_stats coordinator, const std::vector<task_summary>& tasks,
                          const suite_worker_load& load, double elapsed_s) {
  runtime_stats s = std::move(coordinator);
  s.workers = load.of_suite(std::move(s.workers));
  count_tasks(s, tasks);
  s.attempts = 0;
  for (const auto& t : tasks) s.attempts += static_cast<std::uint64_t>(std::max(t.attempts, 0));
  s.elapsed_s = elapsed_s;
  return s;
}

} // namespace

int submit_command(int argc, char** argv) {
  std::string coordinator = "127.0.0.1:" + std::to_string(default_coordinator_port);
  std::string results_path, junit_path, stats_format;
  bool wait = false;
  int threads = 0;
  bool insecure = false;
  int max_tasks = 1000000;
  middleman_settings settings;
  option_table table;
  table.text("client.coordinator", "--coordinator", "the coordinator, HOST:PORT", coordinator);
  table.boolean("", "--wait", "follow the suite to the end (implied by --results and --junit)", wait);
  table.text("", "--results", "results as JSON Lines, one record per attempt", results_path);
  table.text("", "--junit", "JUnit XML, one testcase per task", junit_path);
  table.text("", "--stats", "json: after the run, print the full statistics as one JSON object", stats_format);
  table.whole("", "--max-tasks", "most tasks the suite may expand to", max_tasks, 1, 1 << 30);
  add_middleman_options(table, settings, threads, insecure);
  std::string suite_path;
  suite parsed;
  try {
    auto positional = table.parse(argc, argv);
    if (table.help_requested()) {
      std::cout << "usage: dtf submit SUITE --coordinator HOST:PORT [--wait] [--results FILE.jsonl] "
                   "[--junit FILE.xml] [--stats json] [--config FILE] [--dump-config]\n"
                   "options (flag, config key, what, [value]):\n";
      table.describe(std::cout);
      return 0;
    }
    if (table.dump_requested()) {
      table.dump(std::cout);
      return 0;
    }
    if (positional.empty()) throw input_error("", 0, "SUITE", "no suite given");
    if (positional.size() > 1) throw input_error("", 0, positional[1], "more than one suite given");
    if (!stats_format.empty() && stats_format != "json") throw input_error("", 0, "--stats", "takes 'json'");
    suite_path = positional.front();
    settings.threads = static_cast<std::size_t>(threads);
    suite_options limits;
    limits.max_tasks = static_cast<std::size_t>(max_tasks);
    parsed = parse_suite_file(suite_path, limits);
  } catch (const std::exception& e) {
    std::cerr << "dtf submit: " << e.what() << "\n";
    return 2;
  }
  host_port where;
  try {
    where = parse_host_port(coordinator);
    require_loopback(where.host, insecure, "--coordinator", "connect to", settings.tls);
  } catch (const std::exception& e) {
    std::cerr << "dtf submit: --coordinator: " << e.what() << "\n";
    return 2;
  }
  wait = wait || !results_path.empty() || !junit_path.empty() || !stats_format.empty();
  const std::string suite_name = parsed.name.empty() ? "dtf" : parsed.name;

  interrupt_watch interrupts;  // before any thread starts
  try {
    std::unique_ptr<runtime_outputs> outputs;
    if (!results_path.empty() || !junit_path.empty())
      outputs = std::make_unique<runtime_outputs>(results_path, junit_path, suite_name);
    auto own = std::make_shared<std::unordered_set<std::string>>();
    for (const auto& t : parsed.tasks) own->insert(t.id);
    auto reporter = std::make_shared<progress_reporter>(stdout, progress_reporter::stream_is_terminal(stdout));
    std::shared_ptr<run_progress> progress;
    std::atomic<std::size_t> finished{0};
    std::atomic<bool> ready{false};
    suite_worker_load load;

    cluster_client client{where.host, where.port, settings};
    if (wait)
      client.subscribe([&, own](const task_update& u) {
        if (!ready.load() || !own->count(u.task_id)) return;  // another submission's task
        if (outputs) outputs->on_update(u);
        load.on_update(u);
        if (auto done = progress->on_update(u)) {
          ++finished;
          reporter->task_finished(*done, progress->snapshot());
        }
      });
    client.connect();
    auto before = client.stats();
    std::size_t slots = 0;
    for (const auto& w : before.workers) slots += static_cast<std::size_t>(std::max(w.slots, 0));
    progress = std::make_shared<run_progress>(std::max<std::size_t>(slots, 1));
    ready = true;
    std::cout << "dtf submit: suite '" << parsed.name << "', " << parsed.tasks.size() << " tasks to the coordinator at "
              << where.host << ":" << where.port << " (" << before.workers.size() << " workers, " << slots
              << " slots)" << std::endl;
    const auto started = std::chrono::steady_clock::now();
    const auto total = parsed.tasks.size();
    progress->expect(total);
    auto accepted = client.submit(std::move(parsed.tasks));
    if (!wait) {
      std::cout << "dtf submit: " << accepted << " of " << total << " tasks accepted" << std::endl;
      return accepted == total ? 0 : 1;
    }
    bool lost = false;
    bool cancelled_on_interrupt = false;
    while (finished.load() < total) {
      if (!client.coordinator_alive_after(0.5)) {
        lost = true;
        break;
      }
      if (interrupts.signal() != 0 && !cancelled_on_interrupt) {
        cancelled_on_interrupt = true;
        for (const auto& t : progress->tasks())
          if (!t.final) client.cancel(t.task_id);
      }
      reporter->update(progress->snapshot());
    }
    if (!lost) client.flush_updates();
    reporter->finish(progress->snapshot());
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    runtime_stats stats;
    if (!lost) stats = client.stats();
    stats = suite_stats(std::move(stats), progress->tasks(), load, elapsed);
    if (outputs) outputs->flush();
    std::cout << "\n";
    if (stats_format == "json") std::cout << run_stats_json(stats, progress->tasks(), suite_workers_cover) << "\n";
    else
      print_run_summary(std::cout, stats, progress->tasks(),
                        {.colour = progress_reporter::stream_is_terminal(stdout), .workers_cover = suite_workers_cover});
    if (!results_path.empty()) std::cout << "results: " << results_path << "\n";
    if (!junit_path.empty()) std::cout << "junit: " << junit_path << "\n";
    if (lost) {
      std::cerr << "dtf submit: lost the coordinator at " << where.host << ":" << where.port << " with "
                << total - finished.load() << " tasks unfinished\n";
      return 1;
    }
    if (cancelled_on_interrupt) {
      std::cout << "interrupted: the suite's unfinished tasks were cancelled\n";
      return interrupts.exit_code();
    }
    return stats.succeeded == stats.submitted ? 0 : 1;
  } catch (const input_error& e) {
    std::cerr << "dtf submit: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dtf submit: " << e.what() << "\n";
    return 1;
  }
}

} // namespace dtf::app
