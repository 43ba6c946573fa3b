// `dtf run SUITE`: runs every task of a suite in one process (coordinator,
// scheduler, predictor, one worker per local device plus the emulated fleet),
// shows progress, prints a summary. Exit 0 only if every task succeeded,
// 1 if any did not (or dtf failed inside), 2 for bad input, 130/143 when
// interrupted. Journals by default; --resume continues an unfinished run.
#include "actors/http/http_address.hpp"
#include "actors/journal/journal_error.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "actors/run_progress.hpp"
#include "actors/runtime.hpp"
#include "actors/task_counts.hpp"
#include "apps/dtf/interrupt_watch.hpp"
#include "apps/dtf/option_table.hpp"
#include "apps/dtf/scheduling_options.hpp"
#include "apps/dtf/resume_changes.hpp"
#include "apps/dtf/run_summary.hpp"
#include "scheduler/core/placement_policy.hpp"
#include "scheduler/model/worker_slots.hpp"
#include "scheduler/input/fleet_parser.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/input/input_limits.hpp"
#include "scheduler/input/suite_parser.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dtf::app {

namespace {

constexpr const char* run_usage =
  "usage: dtf run SUITE [--fleet FLEET] [--no-local] [--max-tasks-per-worker N] [--results FILE.jsonl]\n"
  "               [--junit FILE.xml] [--journal FILE.db | --no-journal] [--resume] [--time-scale X]\n"
  "               [--output-dir DIR] [--policy NAME] [--stats json] [--metrics-interval SECONDS]\n"
  "               [--http HOST:PORT [--http-token TOKEN] [--http-linger SECONDS]]\n"
  "  SUITE      suite file (YAML or JSON)\n"
  "  --fleet    emulated workers (YAML or JSON fleet file)\n"
  "  --no-local do not probe this machine (emulated workers only)\n"
  "  --max-tasks-per-worker  concurrent tasks per worker unless the worker says (default 2)\n"
  "  --results  results as JSON Lines, one record per attempt\n"
  "  --junit    JUnit XML, one testcase per task\n"
  "  --journal  SQLite journal of tasks, attempts, workers and history (default: $DTF_JOURNAL, else\n"
  "             $XDG_STATE_HOME/dtf/journal.sqlite, else ~/.local/state/dtf/journal.sqlite)\n"
  "  --no-journal  keep no journal (no learning from earlier runs, no --resume)\n"
  "  --resume   continue the newest unfinished run of this suite in the journal: tasks that ended\n"
  "             are not run again, unfinished ones (running when dtf stopped) run once more\n"
  "  --time-scale  wall seconds per modeled second on emulated workers (default 1)\n"
  "  --output-dir  per-attempt stdout/stderr files (default dtf-output)\n"
  "  --metrics-interval  seconds between live metrics samples of this machine's devices (utilization,\n"
  "             temperature, power: the scheduler's efficiency term), the first at start (default 5; 0: never)\n"
  "  --max-tasks N  most tasks the suite may expand to (default 1000000)\n"
  "  --stats json  after the run, print the full statistics as one JSON object instead of the summary\n"
  "  --http     serve the live status page (/) and /metrics, /status, /tasks, /tasks/ID, /workers,\n"
  "             /stats at HOST:PORT (127.0.0.1:9464; port 0: any free port; docs/formats.md)\n"
  "  --http-token  bearer token every endpoint but / requires (default $DTF_HTTP_TOKEN); needed\n"
  "             when HOST is not a loopback address\n"
  "  --http-linger  keep serving the final state this many seconds after the run (Ctrl-C ends it)\n";

struct run_options {
  std::string suite_path;
  std::string fleet_path;
  bool probe_local = true;
  int max_tasks_per_worker = 2;
  std::string results_path, junit_path, journal_path, output_dir = "dtf-output", policy = "intelligent";
  double time_scale = 1.0;
  double metrics_interval_s = 5.0;
  suite_options suite_limits;
  bool no_journal = false;
  bool resume = false;
  bool stats_json = false;
  std::string http_address, http_token;
  double http_linger_s = 0.0;
};

/// Gives the pages of freed memory back to the system.
void release_free_memory() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

/// Parsing a large suite frees far more than it keeps (the document's nodes,
/// the expansion's temporaries), in pieces between the tasks it keeps: pages
/// that malloc can never give back while one task's string sits in them. The
/// tasks are copied by a thread of their own (glibc gives a new thread a
/// fresh arena, so the copies lie together), the originals freed, and the
/// emptied pages given back (dtf run with 100,000 matrix tasks queued: 235 MB
/// resident without this, 130 MB with it).
void compact_parsed_tasks(std::vector<task>& tasks) {
  if (tasks.size() < 1000) return;
  std::vector<task> copies;
  std::thread{[&] { copies = tasks; }}.join();
  tasks = std::move(copies);
  release_free_memory();
}

struct usage_error {
  std::string message;
};

double parse_number(std::string_view flag, const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
    throw usage_error{std::string{flag} + " needs a non-negative number, got '" + text + "'"};
  return v;
}

/// parse_number, at most `most` (timers are 64-bit nanoseconds: a wait past
/// about 9e9 s wraps negative and fires at once).
double bounded_number(std::string_view flag, const std::string& text, double most) {
  const double v = parse_number(flag, text);
  if (v > most) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", most);
    throw usage_error{std::string{flag} + " needs a number from 0 to " + limit + ", got '" + text + "'"};
  }
  return v;
}

run_options parse_options(int argc, char** argv) {
  run_options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw usage_error{std::string{arg} + " needs a value"};
      return argv[++i];
    };
    if (arg == "--fleet") o.fleet_path = value();
    else if (arg == "--no-local") o.probe_local = false;
    else if (arg == "--max-tasks-per-worker") {
      double n = parse_number(arg, value());
      if (n < 1 || n != std::floor(n) || n > max_worker_slots)
        throw usage_error{"--max-tasks-per-worker needs a whole number from 1 to " + std::to_string(max_worker_slots)};
      o.max_tasks_per_worker = static_cast<int>(n);
    } else if (arg == "--results") o.results_path = value();
    else if (arg == "--junit") o.junit_path = value();
    else if (arg == "--journal") o.journal_path = value();
    else if (arg == "--no-journal") o.no_journal = true;
    else if (arg == "--resume") o.resume = true;
    else if (arg == "--time-scale") o.time_scale = bounded_number(arg, value(), max_time_scale);
    else if (arg == "--output-dir") o.output_dir = value();
    else if (arg == "--metrics-interval") o.metrics_interval_s = bounded_number(arg, value(), max_metrics_interval_s);
    else if (arg == "--policy") o.policy = value();
    else if (arg == "--stats") {
      if (value() != "json") throw usage_error{"--stats takes 'json'"};
      o.stats_json = true;
    }
    else if (arg == "--http") o.http_address = value();
    else if (arg == "--http-token") o.http_token = value();
    else if (arg == "--http-linger") o.http_linger_s = parse_number(arg, value());
    else if (arg == "--max-tasks") {
      double n = parse_number(arg, value());
      if (n < 1 || n != std::floor(n) || n > 1e15) throw usage_error{"--max-tasks needs a whole number >= 1"};
      o.suite_limits.max_tasks = static_cast<std::size_t>(n);
    }
    else if (!arg.empty() && arg[0] == '-') throw usage_error{"unknown option " + std::string{arg}};
    else if (o.suite_path.empty()) o.suite_path = arg;
    else throw usage_error{"more than one suite given ('" + o.suite_path + "', '" + std::string{arg} + "')"};
  }
  if (o.suite_path.empty()) throw usage_error{"no suite given"};
  if (o.http_address.empty() && (!o.http_token.empty() || o.http_linger_s > 0))
    throw usage_error{"--http-token and --http-linger need --http HOST:PORT"};
  if (o.http_token.empty() && !o.http_address.empty())
    if (const char* env = std::getenv("DTF_HTTP_TOKEN")) o.http_token = env;
  if (!o.http_address.empty()) {
    try {
      const auto address = parse_http_address(o.http_address);
      if (!is_loopback_host(address.host) && o.http_token.empty())
        throw usage_error{"--http " + o.http_address +
                          " is not a loopback address: give a bearer token (--http-token TOKEN or DTF_HTTP_TOKEN)"};
    } catch (const std::invalid_argument& e) {
      throw usage_error{std::string{"--http: "} + e.what()};
    }
  }
  if (o.no_journal && !o.journal_path.empty()) throw usage_error{"--journal and --no-journal contradict each other"};
  if (o.no_journal && o.resume) throw usage_error{"--resume needs the journal (drop --no-journal)"};
  if (!o.no_journal && o.journal_path.empty()) o.journal_path = sqlite_journal::default_path().string();
  return o;
}

/// The newest run of `suite` in the journal that did not finish (running,
/// interrupted, failed or stopped). Opened read-write, as the run then opens
/// it: a journal of an older dtf is migrated (read-only refuses it).
std::optional<journal_run> newest_unfinished_run(const std::string& journal_path, const std::string& suite) {
  if (!std::filesystem::exists(journal_path)) throw journal_error(journal_path, "does not exist");
  sqlite_journal journal{journal_path};
  for (auto& run : journal.runs())  // newest first
    if (run.suite == suite && run.status != "finished") return std::move(run);
  return std::nullopt;
}

/// What a resumed run submits: the journal's unfinished tasks, then the
/// suite's tasks the journal never accepted (dtf stopped while submitting).
std::vector<task> resumed_tasks(const resumed_run& resumed, const std::vector<task>& suite_tasks) {
  std::vector<task> out = resumed.to_run;
  std::unordered_set<std::string> known;
  for (const auto& t : resumed.to_run) known.insert(t.id);
  for (const auto& t : resumed.ended) known.insert(t.definition.id);
  for (const auto& t : suite_tasks)
    if (!known.count(t.id)) out.push_back(t);
  return out;
}

} // namespace

int run_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view{argv[i]} == "--help" || std::string_view{argv[i]} == "-h") {
      std::cout << run_usage << scheduling_switches_help;
      return 0;
    }
  run_options options;
  suite parsed;
  runtime_config config;
  try {
    argument_vector rest{take_scheduling_switches(argc, argv, config.scheduling)};
    options = parse_options(rest.argc(), rest.argv());
    make_policy(options.policy, config.scheduling);  // throws for an unknown name, before anything starts
    parsed = parse_suite_file(options.suite_path, options.suite_limits);
    compact_parsed_tasks(parsed.tasks);
    if (!options.fleet_path.empty()) config.fleet = parse_fleet_file(options.fleet_path);
  } catch (const usage_error& e) {
    std::cerr << "dtf run: " << message_text(e.message, 1024) << " (see dtf run --help)\n";
    return 2;
  } catch (const input_error& e) {
    std::cerr << "dtf run: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dtf run: " << e.what() << "\n";
    return 2;
  }
  if (!options.probe_local && config.fleet.empty()) {
    std::cerr << "dtf run: --no-local needs --fleet (there would be no workers)\n";
    return 2;
  }
  config.probe_local = options.probe_local;
  config.max_tasks_per_worker = options.max_tasks_per_worker;
  config.results_path = options.results_path;
  config.junit_path = options.junit_path;
  config.journal_path = options.journal_path;
  config.junit_suite_name = parsed.name.empty() ? "dtf" : parsed.name;
  config.time_scale = options.time_scale;
  config.metrics_interval_s = options.metrics_interval_s;
  config.output_dir = options.output_dir;
  config.policy = options.policy;
  config.http_address = options.http_address;
  config.http_token = options.http_token;
  if (options.resume) {
    try {
      auto run = newest_unfinished_run(options.journal_path, config.junit_suite_name);
      if (!run) {
        std::cerr << "dtf run: --resume: no unfinished run of suite '" << config.junit_suite_name << "' in "
                  << options.journal_path << "\n";
        return 2;
      }
      config.resume_run = run->id;
    } catch (const std::exception& e) {
      std::cerr << "dtf run: --resume: " << e.what() << "\n";
      return 2;
    }
  }

  // Before any thread starts: Ctrl-C and SIGTERM stop the run gracefully.
  interrupt_watch interrupts;
  try {
    runtime rt{config};
    std::size_t slots = 0;
    auto reporter = std::make_shared<progress_reporter>(stdout, progress_reporter::stream_is_terminal(stdout));
    std::shared_ptr<run_progress> progress;
    rt.subscribe([&progress, reporter](const task_update& u) {
      if (!progress) return;
      if (auto finished = progress->on_update(u)) reporter->task_finished(*finished, progress->snapshot());
    });
    // Probe first so the progress knows the slots before any update arrives.
    rt.start();
    for (const auto& w : rt.workers()) slots += static_cast<std::size_t>(config.slots_of(w));
    progress = std::make_shared<run_progress>(slots);
    for (const auto& warning : rt.warnings()) std::cerr << "dtf run: " << warning << "\n";
    std::cout << "dtf run: suite '" << parsed.name << "', " << parsed.tasks.size() << " tasks on "
              << rt.workers().size() << " workers";
    for (const auto& w : rt.workers()) std::cout << (&w == &rt.workers().front() ? " (" : ", ") << w.id << (w.emulated ? "*" : "");
    std::cout << (rt.workers().empty() ? "" : "; * emulated)") << "\n";
    if (!rt.http_url().empty())
      std::cout << "dtf run: serving " << rt.http_url() << " (status page; /metrics /status /tasks /workers /stats)\n";
    if (!config.journal_path.empty())
      std::cout << "dtf run: learned from " << rt.history_results() << " results of earlier runs in "
                << config.journal_path << "\n";
    bool earlier_ok = true;  // a resumed run's tasks that ended before
    // The suite's tasks move into the run: a second copy of a large suite
    // would double what a run of it holds.
    std::vector<task> to_submit = std::move(parsed.tasks);
    parsed.tasks = {};
    if (config.resume_run != 0) {
      if (const auto changes = resume_changes(rt.resumed(), to_submit); !changes.empty())
        std::cerr << "dtf run: --resume: " << changes << "\n";
      to_submit = resumed_tasks(rt.resumed(), to_submit);
      for (const auto& t : rt.resumed().ended) earlier_ok = earlier_ok && t.status == task_status::succeeded;
      std::cout << "dtf run: resuming run " << config.resume_run << ": " << rt.resumed().ended.size()
                << " tasks ended before (not run again), " << to_submit.size() << " to run\n";
    }
    std::cout.flush();
    interrupts.on_interrupt([&rt](const char* signal_name) { rt.interrupt(signal_name); });
    progress->expect(to_submit.size());
    rt.submit(std::move(to_submit));
    release_free_memory();  // the suite's copies, now the run's
    std::optional<runtime_stats> done;
    while (!(done = rt.wait_for(0.5))) reporter->update(progress->snapshot());
    reporter->finish(progress->snapshot());
    auto stats = rt.stats();
    rt.stop();
    // The counts as the rows say them, as dtf submit's: a stopped task that a
    // copy's success reported after the stop decides is a succeeded row,
    // where the coordinator counted it cancelled.
    const auto rows = progress->tasks();
    count_tasks(stats, rows);
    std::cout << "\n";
    if (options.stats_json)
      std::cout << run_stats_json(stats, rows) << "\n";
    else
      print_run_summary(std::cout, stats, rows, {.colour = progress_reporter::stream_is_terminal(stdout)});
    if (!options.results_path.empty()) std::cout << "results: " << options.results_path << "\n";
    if (!options.junit_path.empty()) std::cout << "junit: " << options.junit_path << "\n";
    if (options.http_linger_s > 0 && !rt.http_url().empty()) {
      std::cout << "dtf run: serving the final state at " << rt.http_url() << " for " << options.http_linger_s
                << " s (Ctrl-C ends it)" << std::endl;
      const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.http_linger_s);
      while (std::chrono::steady_clock::now() < until && interrupts.signal() == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    rt.close_http();
    if (!stats.failure.empty()) {
      std::cout << "run failed inside dtf: " << stats.failure << "\n";
      std::cerr << "dtf run: the run failed: " << stats.failure << "\n";
      return 1;
    }
    if (!stats.interrupted.empty()) {
      std::cout << "interrupted by " << stats.interrupted << ": unfinished tasks were cancelled\n";
      return interrupts.exit_code();
    }
    const bool all_ok = stats.succeeded == stats.submitted && earlier_ok;
    return all_ok ? 0 : 1;
  } catch (const input_error& e) {
    std::cerr << "dtf run: " << e.what() << "\n";
    return 2;
  } catch (const journal_error& e) {  // a journal file dtf cannot use is bad input too
    std::cerr << "dtf run: " << message_text(e.what(), 1024) << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dtf run: " << e.what() << "\n";
    return 1;
  }
}

} // namespace dtf::app
