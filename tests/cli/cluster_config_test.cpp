// The cluster commands' configuration: one file in CAF's format, every key
// also a flag, flags over the file, --dump-config that reads back, and an
// unknown key or bad value is exit 2 naming the file and the key.
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using dtf::testing::run_dtf;

class cluster_config : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dtf-cluster-config-test-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream{dir / name} << text;
    return (dir / name).string();
  }

  fs::path dir;
};

TEST_F(cluster_config, dump_config_shows_defaults_file_values_and_flags_in_that_order_of_precedence) {
  auto file = write("coordinator.conf",
                    "; a coordinator\n[coordinator]\nport=5000\nhost=\"127.0.0.1\"\n"
                    "[middleman]\nheartbeat-interval=500ms\nconnection-timeout=3s\n"
                    "[scheduling]\nload-balance=false\nmax-tasks-per-worker=3\n"
                    "[scheduling.weights]\naffinity=2.5\n");
  auto r = run_dtf({"coordinator", "--config", file, "--port", "5001", "--dump-config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[coordinator]\nhost=\"127.0.0.1\"\nport=5001\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("heartbeat-interval=500ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("connection-timeout=3s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("load-balance=false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max-tasks-per-worker=3"), std::string::npos) << r.out;
  const auto weights = r.out.find("[scheduling.weights]\n");
  ASSERT_NE(weights, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\naffinity=2.5\n", weights), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("policy=\"intelligent\""), std::string::npos) << r.out;

  // What it prints is a config file that gives the same configuration.
  auto again = run_dtf({"coordinator", "--config", write("dumped.conf", r.out), "--dump-config"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
}

TEST_F(cluster_config, the_readme_example_files_read_back_as_written) {
  const fs::path examples = fs::path{DTF_SOURCE_DIR} / "examples" / "cluster";
  auto coordinator = run_dtf({"coordinator", "--config", (examples / "coordinator.conf").string(), "--dump-config"});
  ASSERT_EQ(coordinator.exit_code, 0) << coordinator.err;
  EXPECT_NE(coordinator.out.find("certificate=\"certs/coordinator.pem\""), std::string::npos) << coordinator.out;
  EXPECT_NE(coordinator.out.find("journal=\"coordinator.sqlite\""), std::string::npos) << coordinator.out;
  // Its paths are the README's, relative to the repository (the node reads its fleet at once).
  const auto here = fs::current_path();
  fs::current_path(DTF_SOURCE_DIR);
  auto node = run_dtf({"node", "--config", "examples/cluster/node.conf", "--name", "n2", "--tls-cert", "certs/n2.pem",
                       "--tls-key", "certs/n2.key", "--dump-config"});
  fs::current_path(here);
  ASSERT_EQ(node.exit_code, 0) << node.err;
  EXPECT_NE(node.out.find("name=\"n2\""), std::string::npos) << node.out;
  EXPECT_NE(node.out.find("local=false"), std::string::npos) << node.out;
  EXPECT_NE(node.out.find("ca=\"certs/ca.pem\""), std::string::npos) << node.out;
}

TEST_F(cluster_config, an_unknown_key_is_an_error_naming_the_file_and_the_key) {
  auto file = write("node.conf", "[node]\ncoordinator=\"127.0.0.1:4780\"\ntime-scael=0.1\n");
  auto r = run_dtf({"node", "--config", file, "--dump-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node.time-scael"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'node.time-scale'"), std::string::npos) << r.err;
}

TEST_F(cluster_config, a_key_set_twice_is_an_error_naming_both_lines) {
  // Before: CAF kept port=1 and dropped port=2 without a word.
  auto file = write("c.conf", "[coordinator]\nport=1\n; port=3 in a comment\nname=\"a=b\"\nport=2\n");
  auto r = run_dtf({"coordinator", "--config", file, "--dump-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(file + ":5: field 'coordinator.port': set twice (first at line 2)"), std::string::npos) << r.err;
}

TEST_F(cluster_config, a_file_saved_on_windows_reads_as_written) {
  // CR line ends and a UTF-8 byte order mark (before: "trailing_character" at line 1).
  auto r = run_dtf({"coordinator", "--config", write("w.conf", "\xEF\xBB\xBF[coordinator]\r\nport=5002\r\n"),
                    "--dump-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("port=5002"), std::string::npos) << r.out;
}

TEST_F(cluster_config, a_bad_value_is_an_error_naming_the_file_and_the_key) {
  auto r = run_dtf({"coordinator", "--config", write("c.conf", "[coordinator]\nport=70000\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("coordinator.port"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("c.conf"), std::string::npos) << r.err;

  auto inf = run_dtf({"coordinator", "--config", write("i.conf", "[scheduling.weights]\nload=1e400\n")});
  EXPECT_EQ(inf.exit_code, 2);
  EXPECT_NE(inf.err.find("scheduling.weights.load"), std::string::npos) << inf.err;

  auto syntax = run_dtf({"coordinator", "--config", write("s.conf", "[coordinator]\nport=\n")});
  EXPECT_EQ(syntax.exit_code, 2);
  EXPECT_NE(syntax.err.find("s.conf"), std::string::npos) << syntax.err;

  auto flag = run_dtf({"node", "--heartbeat-interval", "soon"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("--heartbeat-interval"), std::string::npos) << flag.err;

  auto policy = run_dtf({"coordinator", "--policy", "best-guess"});
  EXPECT_EQ(policy.exit_code, 2);
  EXPECT_NE(policy.err.find("best-guess"), std::string::npos) << policy.err;
}

TEST_F(cluster_config, the_coordinator_listens_on_loopback_and_a_fixed_port_by_default) {
  auto r = run_dtf({"coordinator", "--dump-config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("host=\"127.0.0.1\"\nport=4780\n"), std::string::npos) << r.out;
  auto node = run_dtf({"node", "--dump-config"});
  EXPECT_NE(node.out.find("coordinator=\"127.0.0.1:4780\""), std::string::npos) << node.out;
}

TEST_F(cluster_config, plaintext_beyond_loopback_needs_insecure) {
  auto coordinator = run_dtf({"coordinator", "--host", "0.0.0.0"});
  EXPECT_EQ(coordinator.exit_code, 2);
  EXPECT_NE(coordinator.err.find("--insecure"), std::string::npos) << coordinator.err;
  for (const std::string command : {"node", "status", "stats"}) {
    auto r = run_dtf({command, "--coordinator", "192.0.2.1:4780"});
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_NE(r.err.find("refusing to connect to 192.0.2.1 in plaintext"), std::string::npos) << r.err;
  }
  // With --insecure it goes on (and finds nothing there).
  auto status = run_dtf({"status", "--coordinator", "192.0.2.1:4780", "--insecure", "--connect-timeout", "200ms"});
  EXPECT_EQ(status.exit_code, 1) << status.err;
}

TEST_F(cluster_config, clients_fail_with_exit_1_and_a_reason_when_no_coordinator_answers) {
  write("suite.yaml", "suite: s\ntasks:\n  - {id: a, command: [sh, -c, 'true']}\n");
  // Port 1 on loopback: nothing listens there.
  for (auto command : {"status", "stats"}) {
    auto r = run_dtf({command, "--coordinator", "127.0.0.1:1", "--connect-timeout", "2s"});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.err.find("cannot reach the coordinator at 127.0.0.1:1"), std::string::npos) << r.err;
  }
  auto submit = run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", "127.0.0.1:1", "--wait"});
  EXPECT_EQ(submit.exit_code, 1);
  EXPECT_NE(submit.err.find("cannot reach the coordinator"), std::string::npos) << submit.err;
}

} // namespace
