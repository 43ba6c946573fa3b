// `dtf bench runtime`: what `dtf run` itself costs, measured on the real
// binary (this one, as a child process), with plain loops beside it in the
// same run. Prints figures, checks nothing (the machine may be shared: every
// figure is taken --repeat times and all of them are printed):
//   spawning   N `true` tasks through `dtf run` (local CPU workers, journal,
//              results and JUnit as a user would) against a plain
//              posix_spawn + waitpid loop and a fork + execve loop of N `true`
//              (one at a time, and as many at once as dtf run has slots)
//   memory     resident size of `dtf run` with Q emulated tasks queued on one
//              busy worker, minus the same run with one task (idle)
//   scaling    `dtf run` of E and 10 x E emulated tasks (time scale 0): wall
//              seconds and their ratio (linear = 10)
#include "apps/dtf/option_table.hpp"
#include "scheduler/input/input_error.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dtf::app {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Starts `argv` with stdout and stderr to `log` (appended); returns the pid.
pid_t start(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
  return pid;
}

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; }

/// The exit code (-1: not a normal exit); the CPU seconds (user and system)
/// of the process and the children it waited for in `cpu_s`, if given.
int wait_for(pid_t pid, double* cpu_s = nullptr) {
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  if (cpu_s) *cpu_s = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Wall seconds of a whole run of `argv`; its exit code in `code`, its CPU
/// seconds in `cpu_s` (less at the mercy of a busy machine than wall time).
double timed_run(const std::vector<std::string>& argv, const fs::path& log, int& code, double* cpu_s = nullptr) {
  const auto begin = clock_type::now();
  code = wait_for(start(argv, log), cpu_s);
  return seconds_since(begin);
}

struct timing {
  double wall_s = 0, cpu_s = 0;
};

/// CPU seconds (user and system) of this process and the children it reaped.
double cpu_seconds_so_far() {
  rusage self{}, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  return seconds_of(self.ru_utime) + seconds_of(self.ru_stime) + seconds_of(children.ru_utime) +
         seconds_of(children.ru_stime);
}

/// `count` `true` processes, `parallel` at a time, each started by posix_spawn
/// (or fork + execve) and reaped before its slot starts the next.
timing plain_loop(std::size_t count, std::size_t parallel, bool use_fork) {
  const std::string path = fs::exists("/usr/bin/true") ? "/usr/bin/true" : "/bin/true";
  char* args[] = {const_cast<char*>(path.c_str()), nullptr};
  auto loop = [&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      pid_t pid = -1;
      if (use_fork) {
        pid = ::fork();
        if (pid == 0) {
          ::execve(path.c_str(), args, environ);
          ::_exit(127);
        }
      } else {
        ::posix_spawn(&pid, path.c_str(), nullptr, nullptr, args, environ);
      }
      if (pid > 0) wait_for(pid);
    }
  };
  const auto begin = clock_type::now();
  const double cpu_before = cpu_seconds_so_far();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < parallel; ++t) threads.emplace_back(loop, count / parallel + (t < count % parallel));
  for (auto& t : threads) t.join();
  return {seconds_since(begin), cpu_seconds_so_far() - cpu_before};
}

long resident_kb(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

bool file_has(const fs::path& file, const std::string& text) {
  std::ifstream in{file};
  const std::string content{std::istreambuf_iterator<char>{in}, {}};
  return content.find(text) != std::string::npos;
}

/// Resident size once the run has said it starts its suite and its size has
/// not changed for a second since (it has taken its tasks); then it is killed.
long settled_resident_kb(const std::vector<std::string>& argv, const fs::path& log) {
  fs::remove(log);
  const pid_t pid = start(argv, log);
  long last = -1, settled = -1;
  const auto begin = clock_type::now();
  for (int still = 0; still < 10 && seconds_since(begin) < 300;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long now = resident_kb(pid);
    if (now <= 0) break;  // ended early
    still = now == last && file_has(log, "dtf run: suite") ? still + 1 : 0;
    last = now;
    settled = now;
  }
  ::kill(pid, SIGKILL);
  wait_for(pid);
  return settled;
}

void write_true_suite(const fs::path& file, std::size_t tasks) {
  std::ofstream out{file};
  out << "suite: bench-true\ntasks:\n  - matrix: {i: [";
  for (std::size_t i = 0; i < tasks; ++i) out << (i ? "," : "") << i;
  out << "]}\n    id: 'true-{i}'\n    requirements: {hardware: [cpu]}\n    command: [true]\n";
}

void write_emulated_suite(const fs::path& file, std::size_t tasks) {
  std::ofstream out{file};
  out << "suite: bench-emulated\ntasks:\n  - matrix: {i: [";
  for (std::size_t i = 0; i < tasks; ++i) out << (i ? "," : "") << i;
  out << "]}\n    id: 'emulated-{i}'\n    type: test\n    model: bert-base-uncased\n"
         "    requirements: {hardware: [cuda]}\n    command: [python3, bench.py, --index, '{i}']\n";
}

void write_fleet(const fs::path& file, int count, int slots) {
  std::ofstream out{file};
  out << "workers:\n  - {id: emulated, kind: cuda, name: \"NVIDIA A100\", memory_gb: 40, compute_capability: 8.0, "
      << "cores: 108, slots: " << slots << ", count: " << count << "}\n";
}

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

} // namespace

int runtime_bench(int argc, char** argv) {
  int commands = 1000, slots = 2, queued = 100000, emulated = 10000, repeat = 3;
  std::string parts = "spawning,memory,scaling";
  option_table table;
  table.whole("", "--commands", "`true` tasks for the spawning figures", commands, 1, 10000000);
  table.whole("", "--slots", "dtf run --max-tasks-per-worker for the spawning figures", slots, 1, 1024);
  table.whole("", "--queued", "emulated tasks queued for the memory figure", queued, 1, 10000000);
  table.whole("", "--emulated", "emulated tasks of the smaller scaling run (the larger has 10 x)", emulated, 1, 1000000);
  table.whole("", "--repeat", "how often each figure is taken", repeat, 1, 100);
  table.text("", "--parts", "which figures: spawning, memory, scaling (comma-separated)", parts);
  try {
    if (!table.parse(argc, argv).empty()) throw input_error("", 0, "bench runtime", "takes no positional argument");
  } catch (const std::exception& e) {
    std::cerr << "dtf bench runtime: " << e.what() << "\n";
    return 2;
  }
  if (table.help_requested()) {
    std::cout << "usage: dtf bench runtime [--commands N] [--slots S] [--queued Q] [--emulated E] [--repeat R] "
                 "[--parts spawning,memory,scaling]\n";
    table.describe(std::cout);
    return 0;
  }
  const std::string dtf = fs::read_symlink("/proc/self/exe").string();
  const fs::path dir = fs::temp_directory_path() / ("dtf-bench-runtime-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path log = dir / "dtf.log";
  const auto wants = [&](const char* part) { return parts.find(part) != std::string::npos; };
  std::cout << "dtf bench runtime: " << std::thread::hardware_concurrency() << " CPUs; each figure taken " << repeat
            << " times (a shared machine varies from one to the next)\n";

  if (wants("spawning")) {
    write_true_suite(dir / "true.yaml", static_cast<std::size_t>(commands));
    const auto n = static_cast<std::size_t>(commands);
    for (int r = 1; r <= repeat; ++r) {
      const fs::path work = dir / ("spawn-" + std::to_string(r));
      fs::create_directories(work);
      int code = 0;
      const auto spawn_1 = plain_loop(n, 1, false);
      const auto fork_1 = plain_loop(n, 1, true);
      const auto spawn_s = plain_loop(n, static_cast<std::size_t>(slots), false);
      timing through_dtf;
      through_dtf.wall_s =
        timed_run({dtf, "run", (dir / "true.yaml").string(), "--max-tasks-per-worker", std::to_string(slots),
                   "--journal", (work / "journal.sqlite").string(), "--results", (work / "results.jsonl").string(),
                   "--junit", (work / "junit.xml").string(), "--output-dir", (work / "out").string()},
                  log, code, &through_dtf.cpu_s);
      const double best_plain = std::min({spawn_1.wall_s, fork_1.wall_s, spawn_s.wall_s});
      auto rate = [n](const timing& t) { return fixed(n / t.wall_s, 0); };
      auto percent_of = [&](const timing& plain) { return fixed(100.0 * plain.wall_s / through_dtf.wall_s, 0); };
      auto cpu_ms = [n](const timing& t) { return fixed(1000.0 * t.cpu_s / n, 2); };
      std::cout << "spawning " << r << ": " << commands << " x `true`: dtf run (" << slots << " slots, journal, results, "
                << "junit; exit " << code << ") " << rate(through_dtf) << " tasks/s; plain posix_spawn loop "
                << rate(spawn_1) << "/s, fork+exec loop " << rate(fork_1) << "/s, posix_spawn x" << slots << " "
                << rate(spawn_s) << "/s; dtf run = " << percent_of(fork_1) << " % of fork+exec, " << percent_of(spawn_s)
                << " % of posix_spawn x" << slots << ", " << fixed(100.0 * best_plain / through_dtf.wall_s, 0)
                << " % of the fastest plain loop; CPU per task " << cpu_ms(through_dtf) << " ms (posix_spawn "
                << cpu_ms(spawn_1) << ", fork+exec " << cpu_ms(fork_1) << ")\n";
      std::cout.flush();
      // The outputs stay until the end: deleting a run's thousand files just
      // before the next run makes ext4 (without a journal, as here) skip the
      // recently freed inodes one by one when that run creates its files.
    }
  }
  if (wants("memory")) {
    write_emulated_suite(dir / "queued.yaml", static_cast<std::size_t>(queued));
    write_emulated_suite(dir / "one.yaml", 1);
    write_fleet(dir / "one-worker.yaml", 1, 1);
    for (int r = 1; r <= repeat; ++r) {
      // Tasks of 10^6 modeled seconds each: one runs, the rest stay queued.
      auto run = [&](const char* suite, bool journal) {
        std::vector<std::string> args{dtf, "run", (dir / suite).string(), "--fleet", (dir / "one-worker.yaml").string(),
                                      "--no-local", "--time-scale", "100000", "--output-dir", (dir / "out").string()};
        if (journal) args.insert(args.end(), {"--journal", (dir / ("memory-" + std::to_string(r) + ".sqlite")).string()});
        else args.push_back("--no-journal");
        return settled_resident_kb(args, dir / "memory.log");
      };
      const long idle = run("one.yaml", false), full = run("queued.yaml", false);
      const long idle_journal = run("one.yaml", true), full_journal = run("queued.yaml", true);
      std::cout << "memory " << r << ": " << queued << " queued tasks: " << fixed((full - idle) / 1024.0, 0)
                << " MB above the idle run (" << fixed(idle / 1024.0, 0) << " MB -> " << fixed(full / 1024.0, 0)
                << " MB resident, no journal); with the journal " << fixed((full_journal - idle_journal) / 1024.0, 0)
                << " MB above (" << fixed(idle_journal / 1024.0, 0) << " -> " << fixed(full_journal / 1024.0, 0)
                << " MB)\n";
      std::cout.flush();
    }
  }
  if (wants("scaling")) {
    const auto small = static_cast<std::size_t>(emulated);
    write_emulated_suite(dir / "small.yaml", small);
    write_emulated_suite(dir / "large.yaml", 10 * small);
    write_fleet(dir / "fleet.yaml", 8, 4);
    for (int r = 1; r <= repeat; ++r) {
      int code = 0;
      auto run = [&](const char* suite, bool journal) {
        std::vector<std::string> args{dtf, "run", (dir / suite).string(), "--fleet", (dir / "fleet.yaml").string(),
                                      "--no-local", "--time-scale", "0", "--output-dir", (dir / "out").string()};
        if (journal) {
          fs::remove(dir / "scaling.sqlite");
          args.insert(args.end(), {"--journal", (dir / "scaling.sqlite").string(), "--results",
                                   (dir / "scaling.jsonl").string(), "--junit", (dir / "scaling.xml").string()});
        } else {
          args.push_back("--no-journal");
        }
        timing t;
        t.wall_s = timed_run(args, log, code, &t.cpu_s);
        return t;
      };
      const auto small_s = run("small.yaml", false), large_s = run("large.yaml", false);
      const auto small_j = run("small.yaml", true), large_j = run("large.yaml", true);
      auto ratios = [](const timing& small_run, const timing& large_run) {
        return fixed(small_run.wall_s, 2) + " s -> " + fixed(large_run.wall_s, 2) + " s = " +
               fixed(large_run.wall_s / small_run.wall_s, 1) + " x (CPU " + fixed(small_run.cpu_s, 2) + " s -> " +
               fixed(large_run.cpu_s, 2) + " s = " + fixed(large_run.cpu_s / small_run.cpu_s, 1) + " x)";
      };
      std::cout << "scaling " << r << ": " << small << " -> " << 10 * small << " emulated tasks (8 workers x 4 slots, "
                << "time scale 0): " << ratios(small_s, large_s) << " without journal; " << ratios(small_j, large_j)
                << " with journal, results and JUnit (linear: 10 x)\n";
      std::cout.flush();
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}

} // namespace dtf::app
