// The TLS gate with real processes: a coordinator behind it, nodes and a
// client with certificates of the cluster CA run a suite; a node with a
// certificate of another CA, a node speaking plaintext, random bytes,
// truncated handshakes and idle connections get nowhere, and afterwards the
// coordinator still answers and every task completed exactly once.
#include "tests/cli/dtf_process.hpp"
#include "tests/cli/run_dtf.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using dtf::testing::eventually;
using dtf::testing::read_text;

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class cluster_tls : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dtf-cluster-tls-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::string script = "cd '" + dir.string() + "' && (openssl req -x509" + ec +
                         " -keyout ca.key -out ca.pem -days 2 -subj /CN=cluster-ca && openssl req -x509" + ec +
                         " -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca";
    for (std::string name : {"coordinator", "node", "client", "stranger"}) {
      const std::string ca = name == "stranger" ? "other-ca" : "ca";
      script += " && openssl req" + ec + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + name +
                " && openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
                ".key -CAcreateserial -out " + name + ".pem -days 2";
    }
    script += ") > openssl.log 2>&1";
    ASSERT_EQ(std::system(script.c_str()), 0) << read_text(dir / "openssl.log");
    std::ofstream fleet{dir / "fleet.yaml"};
    fleet << "workers:\n  - {id: cpu-a, kind: cpu, name: Emulated CPU, memory_gb: 16, cores: 8, slots: 8}\n";
    std::ofstream suite{dir / "suite.yaml"};
    suite << "suite: tls\ndefaults: {type: test, retries: 0, command: [sh, -c, 'true']}\ntasks:\n";
    for (int i = 0; i < tasks; ++i) suite << "  - {id: t" << i << ", requirements: {hardware: [cpu]}}\n";
  }

  void TearDown() override {
    for (pid_t pid : pids) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    for (int fd : sockets) ::close(fd);
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
  }

  pid_t start(const std::vector<std::string>& arguments, const std::string& log) {
    pid_t pid = dtf::testing::start_dtf(dir, arguments, dir / log);
    pids.push_back(pid);
    return pid;
  }

  std::vector<std::string> tls(const std::string& who) const {
    return {"--tls-cert", who + ".pem", "--tls-key", who + ".key", "--tls-ca", "ca.pem"};
  }

  std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) const {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  std::string log(const std::string& name) const { return read_text(dir / name); }

  /// A coordinator behind its gate on a free port (with `extra` options); its port, 0 if it did not listen.
  int start_coordinator(const std::vector<std::string>& extra) {
    start(with(with({"coordinator", "--port", "0"}, extra), tls("coordinator")), "coordinator.log");
    std::smatch m;
    std::string text;
    const std::regex listening{"listening on 127\\.0\\.0\\.1:([0-9]+)"};
    EXPECT_TRUE(eventually([&] {
      text = log("coordinator.log");
      return std::regex_search(text, m, listening);
    })) << text;
    return m.size() > 1 ? std::stoi(m[1].str()) : 0;
  }

  const int tasks = 100;
  fs::path dir;
  std::vector<pid_t> pids;
  std::vector<int> sockets;
};

TEST_F(cluster_tls, only_peers_with_certificates_of_the_cluster_ca_get_through_the_gate) {
  const std::string port = std::to_string(start_coordinator({}));
  ASSERT_NE(port, "0");
  const std::string where = "127.0.0.1:" + port;
  const std::vector<std::string> node{"node", "--coordinator", where, "--no-local", "--fleet", "fleet.yaml",
                                      "--time-scale", "0.001"};

  // Hostile traffic first: random bytes, truncated handshakes, idle connections.
  std::mt19937 random{7};
  std::string noise(10 << 20, '\0');
  for (auto& c : noise) c = static_cast<char>(random());
  // An authenticated peer announcing a 4 GiB frame is cut off before CAF sees it.
  {
    std::ofstream frame{dir / "frame.bin", std::ios::binary};
    const unsigned char header[32] = {0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    frame.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  const std::string s_client = "cd '" + dir.string() + "' && timeout 20 openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:" +
                               port + " -cert client.pem -key client.key -CAfile ca.pem < frame.bin > s_client.log 2>&1";
  // It ends when the gate closes the connection (an unexpected EOF to it).
  (void)std::system(s_client.c_str());
  if (int fd = connect_loopback(std::stoi(port)); fd >= 0) {
    (void)::send(fd, noise.data(), noise.size(), MSG_NOSIGNAL);
    ::close(fd);
  }
  const std::string truncated_hello{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11};
  for (int i = 0; i < 1000; ++i) {  // more than the gate's 256: the rest are closed at once
    int fd = connect_loopback(std::stoi(port));
    if (fd < 0) continue;
    if (i % 10 == 0) (void)::send(fd, truncated_hello.data(), truncated_hello.size(), MSG_NOSIGNAL);
    sockets.push_back(fd);  // held open, silent
  }
  start(with(with(node, {"--name", "stranger"}), {"--tls-cert", "stranger.pem", "--tls-key", "stranger.key",
                                                   "--tls-ca", "ca.pem"}),
        "stranger.log");
  start(with(node, {"--name", "plain"}), "plain.log");  // no TLS at all
  start(with(with(node, {"--name", "n1"}), tls("node")), "n1.log");
  ASSERT_TRUE(eventually([&] { return log("coordinator.log").find("worker n1/cpu-a joined") != std::string::npos; }))
    << log("coordinator.log") << log("n1.log");
  EXPECT_TRUE(eventually([&] { return log("stranger.log").find("retrying in") != std::string::npos; }));
  EXPECT_TRUE(eventually([&] { return log("plain.log").find("retrying in") != std::string::npos; }));

  auto submit = dtf::testing::run_dtf(
    with({"submit", (dir / "suite.yaml").string(), "--coordinator", where, "--results",
          (dir / "results.jsonl").string(), "--tls-ca", (dir / "ca.pem").string(), "--tls-cert",
          (dir / "client.pem").string(), "--tls-key", (dir / "client.key").string()},
         {}));
  EXPECT_EQ(submit.exit_code, 0) << submit.out << submit.err;
  std::map<std::string, int> ok;
  std::ifstream in{dir / "results.jsonl"};
  for (std::string line; std::getline(in, line);) {
    auto r = nlohmann::json::parse(line);
    if (r.at("status") == "succeeded") ++ok[r.at("task").get<std::string>()];
  }
  EXPECT_EQ(ok.size(), static_cast<std::size_t>(tasks));
  for (const auto& [id, n] : ok) EXPECT_EQ(n, 1) << id;
  // Only the node with the cluster's certificate ever joined.
  const auto coordinator_log = log("coordinator.log");
  EXPECT_EQ(coordinator_log.find("stranger/"), std::string::npos) << coordinator_log;
  EXPECT_EQ(coordinator_log.find("plain/"), std::string::npos) << coordinator_log;
  // A client without a certificate is refused too; one with it still gets answers.
  auto anonymous = dtf::testing::run_dtf({"status", "--coordinator", where, "--connect-timeout", "5s"});
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous.out;
  auto status = dtf::testing::run_dtf({"status", "--coordinator", where, "--tls-ca", (dir / "ca.pem").string(),
                                       "--tls-cert", (dir / "client.pem").string(), "--tls-key",
                                       (dir / "client.key").string()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(std::to_string(tasks) + " succeeded"), std::string::npos) << status.out;
  // What the gate did, as the coordinator reports it when it stops.
  ::kill(pids.front(), SIGTERM);
  EXPECT_TRUE(eventually([&] { return log("coordinator.log").find("dtf coordinator: stopped") != std::string::npos; }));
  const std::regex gate{"gate: ([0-9]+) TLS connections accepted, ([0-9]+) refused at the handshake, ([0-9]+) over the "
                        "connection cap, ([0-9]+) closed for an oversized frame"};
  std::smatch g;
  const auto final_log = log("coordinator.log");
  ASSERT_TRUE(std::regex_search(final_log, g, gate)) << final_log;
  EXPECT_GE(std::stoi(g[2].str()), 3) << final_log;  // the noise, the stranger, the plaintext node at least
  // Of the 1,000 silent connections the gate holds at most 256 at once: the
  // others were displaced in their handshake by newcomers (or refused).
  EXPECT_GE(std::stoi(g[3].str()), 700) << final_log;
  EXPECT_EQ(std::stoi(g[4].str()), 1) << final_log;
}

TEST_F(cluster_tls, silent_connections_filling_the_gate_make_room_for_a_peer_that_completes_its_handshake) {
  // Handshakes may take ten minutes here and the gate holds 16 connections:
  // 64 silent ones fill it, and a node with the cluster's certificate still joins.
  const int port = start_coordinator({"--handshake-timeout", "600", "--max-connections", "16"});
  ASSERT_NE(port, 0);
  for (int i = 0; i < 64; ++i)
    if (int fd = connect_loopback(port); fd >= 0) sockets.push_back(fd);
  start(with({"node", "--coordinator", "127.0.0.1:" + std::to_string(port), "--name", "n1", "--no-local", "--fleet",
              "fleet.yaml", "--time-scale", "0.001"},
             tls("node")),
        "n1.log");
  EXPECT_TRUE(eventually([&] { return log("coordinator.log").find("worker n1/cpu-a joined") != std::string::npos; }))
    << log("coordinator.log") << log("n1.log");
  auto status = dtf::testing::run_dtf(with({"status", "--coordinator", "127.0.0.1:" + std::to_string(port)},
                                           {"--tls-ca", (dir / "ca.pem").string(), "--tls-cert",
                                            (dir / "client.pem").string(), "--tls-key", (dir / "client.key").string()}));
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

TEST_F(cluster_tls, tls_files_given_in_part_or_unreadable_are_bad_input) {
  auto part = dtf::testing::run_dtf({"coordinator", "--tls-cert", (dir / "coordinator.pem").string()});
  EXPECT_EQ(part.exit_code, 2);
  EXPECT_NE(part.err.find("--tls-key"), std::string::npos) << part.err;
  auto wrong = dtf::testing::run_dtf({"coordinator", "--port", "0", "--tls-cert", (dir / "coordinator.pem").string(),
                                      "--tls-key", (dir / "node.key").string(), "--tls-ca",
                                      (dir / "ca.pem").string()});
  EXPECT_EQ(wrong.exit_code, 2);  // before: 1, as if the run had failed
  EXPECT_NE(wrong.err.find("field '--tls-key': cannot use the key"), std::string::npos) << wrong.err;
  // Checked before anything starts, by every cluster command, naming the option.
  auto missing = dtf::testing::run_dtf({"node", "--coordinator", "127.0.0.1:1", "--tls-cert",
                                        (dir / "nosuch.pem").string(), "--tls-key", (dir / "node.key").string(),
                                        "--tls-ca", (dir / "ca.pem").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("field '--tls-cert': cannot use the certificate"), std::string::npos) << missing.err;
  auto ca = dtf::testing::run_dtf({"status", "--coordinator", "127.0.0.1:1", "--tls-cert", (dir / "node.pem").string(),
                                   "--tls-key", (dir / "node.key").string(), "--tls-ca", (dir / "node.key").string()});
  EXPECT_EQ(ca.exit_code, 2);
  EXPECT_NE(ca.err.find("field '--tls-ca': cannot use the CA"), std::string::npos) << ca.err;
}

} // namespace
