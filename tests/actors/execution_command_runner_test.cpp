// The blocking command runner against real subprocesses.
#include "actors/execution/command_guardian.hpp"
#include "actors/execution/command_runner.hpp"
#include "hw/cpu_binding.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dtf {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool process_group_is_gone(pid_t pgid) { return ::kill(-pgid, 0) == -1 && errno == ESRCH; }

class command_runner : public ::testing::Test {
protected:
  void SetUp() override {
    auto name = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    output_dir_ = std::filesystem::temp_directory_path() / ("dtf-exec-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(output_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(output_dir_); }

  run_request shell(const std::string& script, double timeout_s = 30.0) {
    run_request request;
    request.t.id = "task-1";
    request.t.command = {"/bin/sh", "-c", script};
    request.t.timeout_s = timeout_s;
    request.worker.id = "worker-cpu-0";
    request.output_dir = output_dir_;
    request.kill_grace_s = 0.2;
    return request;
  }

  /// Runs a command that prints its own pid (= its group id) first, so the test
  /// can check afterwards that nothing of the group is left.
  dtf::attempt_record run_and_remember_group(const run_request& request, pid_t& pgid, const cancel_token& token) {
    auto outcome = run_command(request, token);
    auto out = read_file(outcome.stdout_path);
    pgid = static_cast<pid_t>(std::stol(out.substr(0, out.find('\n'))));
    return outcome;
  }

  std::filesystem::path output_dir_;
  cancel_token never_cancelled_;
};

TEST_F(command_runner, succeeds_and_captures_stdout_and_stderr_to_per_attempt_files) {
  auto request = shell("echo hello; echo oops >&2");
  request.attempt = 3;
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.stdout_path, (output_dir_ / "task-1.3.stdout").string());
  EXPECT_EQ(outcome.stderr_path, (output_dir_ / "task-1.3.stderr").string());
  EXPECT_EQ(read_file(outcome.stdout_path), "hello\n");
  EXPECT_EQ(read_file(outcome.stderr_path), "oops\n");
  EXPECT_EQ(outcome.stderr_tail, "oops\n");
  EXPECT_GE(outcome.duration_s, 0.0);
  EXPECT_GE(outcome.end_unix_s, outcome.start_unix_s);
  EXPECT_TRUE(outcome.error.empty()) << outcome.error;
}

TEST_F(command_runner, reports_a_non_zero_exit_as_failed_with_its_code) {
  auto outcome = run_command(shell("exit 3"), never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(outcome.term_signal, 0);
  EXPECT_EQ(outcome.error, "exit code 3");
}

TEST_F(command_runner, reports_death_by_signal_with_exit_code_minus_one) {
  auto outcome = run_command(shell("kill -SEGV $$"), never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_EQ(outcome.exit_code, -1);
  EXPECT_EQ(outcome.term_signal, SIGSEGV);
  EXPECT_EQ(outcome.error, "terminated by SIGSEGV");
}

TEST_F(command_runner, timeout_kills_the_whole_process_tree) {
  pid_t pgid = 0;
  auto outcome = run_and_remember_group(shell("echo $$; sleep 100 & sleep 100", 0.3), pgid, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::timed_out);
  EXPECT_EQ(outcome.error, "timed out after 0.3 s");
  EXPECT_TRUE(process_group_is_gone(pgid));
  EXPECT_LT(outcome.duration_s, 30.0);  // sanity only: it did not wait for the sleeps
}

TEST_F(command_runner, a_child_that_ignores_term_is_killed_after_the_grace) {
  pid_t pgid = 0;
  // The shell and its background child both ignore TERM; only KILL ends them.
  auto request = shell("trap '' TERM; echo $$; sleep 100 & wait", 0.2);
  auto outcome = run_and_remember_group(request, pgid, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::timed_out);
  EXPECT_EQ(outcome.term_signal, SIGKILL);
  EXPECT_TRUE(process_group_is_gone(pgid));
}

TEST_F(command_runner, background_processes_left_by_a_finished_command_are_ended) {
  pid_t pgid = 0;
  auto outcome = run_and_remember_group(shell("echo $$; sleep 100 >/dev/null 2>&1 &"), pgid, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded);
  EXPECT_TRUE(process_group_is_gone(pgid));
}

TEST_F(command_runner, cancellation_ends_the_group_with_status_cancelled) {
  cancel_token token;
  std::thread canceller{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    token.cancel();
  }};
  pid_t pgid = 0;
  auto outcome = run_and_remember_group(shell("echo $$; sleep 100 & sleep 100"), pgid, token);
  canceller.join();
  EXPECT_EQ(outcome.status, task_status::cancelled);
  EXPECT_EQ(outcome.error, "cancelled");
  EXPECT_TRUE(process_group_is_gone(pgid));
}

TEST_F(command_runner, a_token_cancelled_before_the_start_runs_nothing) {
  cancel_token token;
  token.cancel();
  auto marker = std::filesystem::temp_directory_path() / ("dtf-ran-" + std::to_string(::getpid()));
  auto outcome = run_command(shell("touch '" + marker.string() + "'"), token);
  EXPECT_EQ(outcome.status, task_status::cancelled);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(command_runner, output_beyond_the_cap_is_truncated_with_a_marker) {
  auto request = shell("head -c 100000 /dev/zero | tr '\\0' x");
  request.output_cap_bytes = 1000;
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded);
  EXPECT_TRUE(outcome.output_truncated);
  EXPECT_EQ(outcome.stdout_bytes, 100000u);
  auto text = read_file(outcome.stdout_path);
  EXPECT_EQ(text, std::string(1000, 'x') + "\n[dtf: output truncated at 1000 bytes]\n");
}

TEST_F(command_runner, collects_finite_metrics_from_dtf_metrics_lines) {
  auto outcome = run_command(shell("echo 'DTF_METRICS {\"throughput\": 12.5, \"label\": \"x\"}';"
                                   "echo 'DTF_METRICS {not json';"
                                   "echo 'DTF_METRICS [1, 2]';"
                                   "echo 'DTF_METRICS {\"loss\": 1e999, \"steps\": 3}';"
                                   "printf 'DTF_METRICS {\"throughput\": 13}'"),
                             never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded);
  std::map<std::string, double> expected{{"steps", 3.0}, {"throughput", 13.0}};
  EXPECT_EQ(outcome.metrics, expected);
}

TEST_F(command_runner, keeps_at_most_256_metric_names_and_counts_the_rest) {
  // 1,000 distinct names, 10 a line; then 1 MiB more of metrics lines past the byte cap.
  auto outcome = run_command(
      shell("i=0; while [ $i -lt 100 ]; do"
            "  echo \"DTF_METRICS {\\\"k${i}_0\\\": 1, \\\"k${i}_1\\\": 1, \\\"k${i}_2\\\": 1, \\\"k${i}_3\\\": 1,"
            " \\\"k${i}_4\\\": 1, \\\"k${i}_5\\\": 1, \\\"k${i}_6\\\": 1, \\\"k${i}_7\\\": 1, \\\"k${i}_8\\\": 1,"
            " \\\"k${i}_9\\\": 1}\"; i=$((i+1)); done;"
            "echo 'DTF_METRICS {\"k0_0\": 2}';"  // a known name is still updated
            "pad=$(printf '%060000d' 0); j=0; while [ $j -lt 18 ]; do"
            "  echo \"DTF_METRICS {\\\"k0_1\\\": 3, \\\"pad\\\": \\\"$pad\\\"}\"; j=$((j+1)); done"),
      never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  EXPECT_EQ(outcome.metrics.size(), 256u + 2u);  // the cap plus the two counts
  EXPECT_EQ(outcome.metrics.at("k0_0"), 2.0);
  // What fits of the 60 KB lines under 1 MiB counts; the rest is dropped, by whole lines.
  std::size_t name_line_bytes = std::string{"DTF_METRICS {\"k0_0\": 2}"}.size();
  for (int i = 0; i < 100; ++i) {
    std::string line = "DTF_METRICS {";
    for (int k = 0; k < 10; ++k) line += (k ? ", \"k" : "\"k") + std::to_string(i) + "_" + std::to_string(k) + "\": 1";
    name_line_bytes += (line + "}").size();
  }
  const std::size_t pad_line_bytes = std::string{"DTF_METRICS {\"k0_1\": 3, \"pad\": \"\"}"}.size() + 60000;
  const std::size_t kept = ((std::size_t{1} << 20) - name_line_bytes) / pad_line_bytes;
  ASSERT_LT(kept, 18u);
  // Past the cap every new numeric name counts ("pad" is text, dropped as such).
  EXPECT_EQ(outcome.metrics.at("dtf_metrics_dropped_keys"), 1000.0 - 256.0);
  EXPECT_EQ(outcome.metrics.at("k0_1"), 3.0);
  EXPECT_EQ(outcome.metrics.at("dtf_metrics_dropped_bytes"), static_cast<double>((18 - kept) * pad_line_bytes));
}

TEST_F(command_runner, a_missing_executable_is_a_failed_outcome_with_a_clear_error) {
  run_request request = shell("");
  request.t.command = {"dtf-no-such-program-anywhere", "--flag"};
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_EQ(outcome.exit_code, -1);
  EXPECT_EQ(outcome.error, "failed to start 'dtf-no-such-program-anywhere': No such file or directory");

  request.t.command = {"/nonexistent/dtf-program"};
  outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_EQ(outcome.error, "failed to start '/nonexistent/dtf-program': No such file or directory");
}

TEST_F(command_runner, a_missing_working_directory_is_a_failed_outcome) {
  auto request = shell("true");
  request.t.working_directory = "/nonexistent-dtf-dir";
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_EQ(outcome.error,
            "failed to start '/bin/sh': cannot enter working directory '/nonexistent-dtf-dir': No such file or directory");
}

TEST_F(command_runner, applies_the_task_env_working_directory_and_dtf_variables) {
  std::filesystem::create_directories(output_dir_ / "work");
  auto request = shell("echo \"$GREETING|$(pwd)|$DTF_TASK_ID|$DTF_WORKER_ID|$DTF_ATTEMPT|${CUDA_VISIBLE_DEVICES-unset}\"");
  request.t.env = {{"GREETING", "hi there"}};
  request.t.working_directory = (output_dir_ / "work").string();
  request.attempt = 2;
  auto outcome = run_command(request, never_cancelled_);
  ASSERT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  auto expected = "hi there|" + std::filesystem::canonical(output_dir_ / "work").string() + "|task-1|worker-cpu-0|2|\n";
  EXPECT_EQ(read_file(outcome.stdout_path), expected);
}

TEST_F(command_runner, searches_the_path_for_a_bare_program_name) {
  auto request = shell("");
  request.t.command = {"echo", "found"};
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  EXPECT_EQ(read_file(outcome.stdout_path), "found\n");
}

TEST_F(command_runner, pins_the_device_of_a_cuda_worker) {
  auto request = shell("echo \"$CUDA_VISIBLE_DEVICES\"");
  request.t.env = {{"CUDA_VISIBLE_DEVICES", "0,1,2"}};  // a task cannot widen its device set
  request.worker.kind = device_kind::cuda;
  request.worker.device_index = 1;
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(read_file(outcome.stdout_path), "1\n");
}

TEST_F(command_runner, pins_a_mig_instance_by_its_uuid_not_the_parents_ordinal) {
  auto request = shell("echo \"$CUDA_VISIBLE_DEVICES\"");
  request.worker.kind = device_kind::cuda;
  request.worker.device_index = 0;
  request.worker.visible_device = "MIG-8d4b6e2a-1f3c-5d7e-9a0b-000000000002";
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(read_file(outcome.stdout_path), "MIG-8d4b6e2a-1f3c-5d7e-9a0b-000000000002\n");
}

TEST_F(command_runner, pins_the_device_of_a_rocm_worker) {
  auto request = shell("echo \"$HIP_VISIBLE_DEVICES $ROCR_VISIBLE_DEVICES\"");
  request.worker.kind = device_kind::rocm;
  request.worker.device_index = 2;
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(read_file(outcome.stdout_path), "2 2\n");
}

TEST_F(command_runner, binds_the_process_to_the_worker_cpuset) {
  auto request = shell("grep Cpus_allowed_list /proc/self/status");
  request.worker.cpuset = "0";
  auto outcome = run_command(request, never_cancelled_);
  ASSERT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  auto text = read_file(outcome.stdout_path);
  EXPECT_EQ(text.substr(text.find(':') + 1), "\t0\n");
}

// posix_spawn has no affinity attribute: the calling thread binds itself for
// the spawn and must be as before afterwards, whether the binding worked or not.
TEST_F(command_runner, binding_a_command_leaves_the_calling_threads_affinity_as_it_was) {
  char before[256], after[256];
  const std::string mine{hw::current_affinity_list(before, sizeof before)};
  auto request = shell("true");
  request.worker.cpuset = "0";
  EXPECT_EQ(run_command(request, never_cancelled_).status, task_status::succeeded);
  EXPECT_EQ(std::string{hw::current_affinity_list(after, sizeof after)}, mine);
  request.worker.cpuset = "1000";  // a valid list, but no such CPU here
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_NE(outcome.error.find("cannot bind to cpuset '1000'"), std::string::npos) << outcome.error;
  EXPECT_EQ(std::string{hw::current_affinity_list(after, sizeof after)}, mine);
}

// dtf's threads block and ignore signals of their own; a command starts with
// none blocked or ignored, and with none of dtf's descriptors.
TEST_F(command_runner, a_command_starts_with_clean_signals_and_only_its_three_streams) {
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  struct sigaction ignore {}, old_usr2 {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &old_usr2), 0);
  const int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, as a careless library opens files
  ASSERT_GT(leaked, 2);
  const auto fd = std::to_string(leaked);
  auto request = shell("");
  request.t.command = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"};  // the command itself, no shell between
  auto outcome = run_command(request, never_cancelled_);
  auto descriptors_request = shell("if [ -e /proc/self/fd/" + fd + " ]; then echo leaked; else echo clean; fi");
  descriptors_request.t.id = "task-2";
  auto descriptors_outcome = run_command(descriptors_request, never_cancelled_);
  ::close(leaked);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  std::istringstream lines{read_file(outcome.stdout_path)};
  std::string blocked, ignored;
  std::getline(lines, blocked);
  std::getline(lines, ignored);
  EXPECT_EQ(blocked, "SigBlk:\t0000000000000000");
  // Signals 1-31 (glibc's posix_spawn leaves its two internal real-time
  // signals, 32 and 33, ignored; programs on glibc install their own handlers).
  ASSERT_EQ(ignored.rfind("SigIgn:\t", 0), 0u) << ignored;
  EXPECT_EQ(std::stoull(ignored.substr(8), nullptr, 16) & 0x7fffffffull, 0u) << ignored;
  EXPECT_EQ(read_file(descriptors_outcome.stdout_path), "clean\n");
}

TEST_F(command_runner, an_unreadable_cpuset_is_a_failed_outcome) {
  auto request = shell("true");
  request.worker.cpuset = "0-x";
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_EQ(outcome.error, "worker 'worker-cpu-0' has an unreadable cpuset '0-x'");
}

TEST_F(command_runner, task_ids_cannot_escape_the_output_directory) {
  auto request = shell("true");
  request.t.id = "../evil/id";
  auto outcome = run_command(request, never_cancelled_);
  const std::filesystem::path stdout_path = outcome.stdout_path;
  EXPECT_EQ(stdout_path.parent_path(), output_dir_);
  EXPECT_EQ(stdout_path.filename().string().rfind(".._evil_id-", 0), 0u) << outcome.stdout_path;
  EXPECT_TRUE(std::filesystem::exists(outcome.stdout_path));
}

TEST_F(command_runner, ids_that_sanitize_alike_get_files_of_their_own) {
  std::set<std::filesystem::path> paths;
  for (const std::string id : {"a$b", "a_b", "a;b"}) {
    auto request = shell("echo $DTF_TASK_ID");
    request.t.id = id;
    auto outcome = run_command(request, never_cancelled_);
    EXPECT_EQ(outcome.status, task_status::succeeded) << outcome.error;
    EXPECT_EQ(std::filesystem::path{outcome.stdout_path}.parent_path(), output_dir_);
    EXPECT_TRUE(paths.insert(outcome.stdout_path).second) << id << " shares " << outcome.stdout_path;
  }
  EXPECT_TRUE(paths.count(output_dir_ / "a_b.1.stdout")) << "an id that needs no change keeps its name";
  for (const auto& path : paths) {
    auto text = read_file(path);
    EXPECT_EQ(path.filename().string().substr(0, 3), "a_b") << path;
    EXPECT_EQ(text.size(), 4u) << path << ": each file holds its own task's output only";
  }
  auto request = shell("true");
  request.t.id = std::string(400, 'x');
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded) << "a long id still makes a valid file name: " << outcome.error;
}

TEST_F(command_runner, refuses_to_write_output_through_a_symlink) {
  std::filesystem::create_directories(output_dir_);
  const auto victim = output_dir_ / "victim";
  std::ofstream{victim} << "precious";
  std::filesystem::create_symlink(victim, output_dir_ / "task-1.1.stdout");
  auto outcome = run_command(shell("echo overwritten"), never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::failed);
  EXPECT_NE(outcome.error.find("is a symbolic link"), std::string::npos) << outcome.error;
  EXPECT_EQ(read_file(victim), "precious");
}

bool process_running(pid_t pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>{stat}, {}};
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

pid_t pid_in(const std::filesystem::path& file) {
  for (int i = 0; i < 500 && read_file(file).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return static_cast<pid_t>(std::atol(read_file(file).c_str()));
}

// setsid -f and a double fork into a new session both leave the command's
// process group; they end with the command anyway (found by the attempt key,
// re-parented to the subreaper), and nothing is left to reap.
TEST_F(command_runner, ends_descendants_that_left_the_process_group) {
  std::filesystem::create_directories(output_dir_);
  const auto escaped = output_dir_ / "escaped.pid", doubled = output_dir_ / "doubled.pid";
  auto request = shell("setsid -f sh -c 'echo $$ > " + escaped.string() + "; exec sleep 300' >/dev/null 2>&1; "
                       "(setsid sh -c 'echo $$ > " + doubled.string() + "; exec sleep 300' >/dev/null 2>&1 &); "
                       "while [ ! -s " + escaped.string() + " ] || [ ! -s " + doubled.string() + " ]; do sleep 0.01; done");
  auto outcome = run_command(request, never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  const pid_t a = pid_in(escaped), b = pid_in(doubled);
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  EXPECT_FALSE(process_running(a)) << "setsid -f escaped";
  EXPECT_FALSE(process_running(b)) << "a double fork into a new session escaped";
  EXPECT_NE(outcome.error.find("ended 2 process(es) it left running outside its process group"), std::string::npos)
    << outcome.error;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "an ended escapee was left unreaped";
}

// As in dtf, where runner threads start commands: what leaves the group is
// re-parented to the process (its main thread), and ended all the same.
TEST_F(command_runner, ends_descendants_that_left_the_group_of_a_command_run_on_another_thread) {
  std::filesystem::create_directories(output_dir_);
  const auto escaped = output_dir_ / "escaped.pid";
  auto request = shell("setsid -f sh -c 'echo $$ > " + escaped.string() + "; exec sleep 300' >/dev/null 2>&1; "
                       "while [ ! -s " + escaped.string() + " ]; do sleep 0.01; done");
  attempt_record outcome;
  std::thread{[&] { outcome = run_command(request, never_cancelled_); }}.join();
  EXPECT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  const pid_t a = pid_in(escaped);
  ASSERT_GT(a, 0);
  EXPECT_FALSE(process_running(a)) << "setsid -f escaped a command run on another thread";
  EXPECT_NE(outcome.error.find("ended 1 process(es) it left running outside its process group"), std::string::npos)
    << outcome.error;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "an ended escapee was left unreaped";
}

// Ending one attempt's escapees never touches another attempt's processes.
TEST_F(command_runner, ending_escapees_leaves_other_running_commands_alone) {
  std::filesystem::create_directories(output_dir_);
  const auto other = output_dir_ / "other.pid";
  cancel_token stop_other;
  auto long_running = shell("setsid -f sh -c 'echo $$ > " + other.string() + "; exec sleep 300'; sleep 300");
  long_running.t.id = "other";
  std::thread runner{[&] { run_command(long_running, stop_other); }};
  const pid_t other_pid = pid_in(other);
  ASSERT_GT(other_pid, 0);
  auto outcome = run_command(shell("setsid -f sleep 300"), never_cancelled_);
  EXPECT_EQ(outcome.status, task_status::succeeded) << outcome.error;
  EXPECT_TRUE(process_running(other_pid)) << "another attempt's escapee was killed";
  stop_other.cancel();
  runner.join();
  EXPECT_FALSE(process_running(other_pid)) << "cancelling ends the escapee too";
}

std::size_t open_descriptor_count() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

TEST_F(command_runner, leaves_no_open_descriptors_or_zombies_behind) {
  // The guardian's socket is the process's, opened once by the first command and kept.
  start_command_guardian_once();
  auto before = open_descriptor_count();
  for (const auto& script : {"true", "exit 1", "sleep 100 & sleep 100", "echo $$; sleep 100 >/dev/null &"})
    run_command(shell(script, 0.2), never_cancelled_);
  auto missing = shell("");
  missing.t.command = {"dtf-no-such-program-anywhere"};
  run_command(missing, never_cancelled_);
  EXPECT_EQ(open_descriptor_count(), before);
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // no child of ours left, not even a zombie
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(command_runner, runs_many_commands_from_several_threads_at_once) {
  std::vector<std::thread> threads;
  std::vector<attempt_record> outcomes(8);
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    threads.emplace_back([&, i] {
      auto request = shell("echo " + std::to_string(i) + "; exit " + std::to_string(i % 2));
      request.t.id = "task-" + std::to_string(i);
      outcomes[i] = run_command(request, never_cancelled_);
    });
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    EXPECT_EQ(outcomes[i].exit_code, static_cast<int>(i % 2));
    EXPECT_EQ(read_file(outcomes[i].stdout_path), std::to_string(i) + "\n");
  }
}

} // namespace
} // namespace dtf
