#include "apps/dtf/cluster_options.hpp"

#include "actors/cluster/tls_gate.hpp"
#include "scheduler/input/input_error.hpp"

namespace dtf::app {

void add_middleman_options(option_table& table, middleman_settings& settings, int& threads, bool& insecure) {
  table.boolean("remote.insecure", "--insecure",
                "allow plaintext beyond loopback: anyone who can reach the port (or sits on the path) can submit "
                "commands that nodes run and read every result; only on a network you trust completely",
                insecure);
  table.duration("middleman.heartbeat-interval", "--heartbeat-interval",
                 "how often this process sends a heartbeat to its peers (CAF's key)", settings.heartbeat_interval_s,
                 0.01, 3600);
  table.duration("middleman.connection-timeout", "--connection-timeout",
                 "a peer silent this long is declared dead: a node's tasks are re-queued (CAF's key)",
                 settings.connection_timeout_s, 0.05, 86400);
  table.duration("remote.connect-timeout", "--connect-timeout",
                 "reaching the coordinator (TCP and CAF's handshake) gives up after this",
                 settings.connect_timeout_s, 0.01, 3600);
  table.duration("remote.request-timeout", "--request-timeout",
                 "every request to another process gives up after this", settings.request_timeout_s, 0.01, 3600);
  table.text("tls.certificate", "--tls-cert", "this process's certificate (PEM), signed by the cluster CA",
             settings.tls.certificate);
  table.text("tls.key", "--tls-key", "its private key (PEM)", settings.tls.key);
  table.text("tls.ca", "--tls-ca", "the cluster CA (PEM): peers must present a certificate it signed",
             settings.tls.ca);
  table.whole("scheduler.max-threads", "--threads", "CAF worker threads (0: one per core; CAF's key)", threads, 0,
              1024);
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void require_loopback(const std::string& host, bool insecure, const std::string& flag, const std::string& action,
                      const tls_files& tls, bool check_files) {
  if (tls.any() && !tls.complete())
    throw input_error("", 0, tls.certificate.empty() ? "--tls-cert" : tls.key.empty() ? "--tls-key" : "--tls-ca",
                      "missing: TLS needs a certificate, its key and the cluster CA");
  if (tls.complete() && check_files) check_tls_files(tls);  // a bad file is bad input, before anything starts
  if (tls.complete() || insecure || is_loopback(host)) return;
  throw input_error("", 0, flag,
                    "refusing to " + action + " " + host +
                      " in plaintext: CAF's middleman trusts whoever connects (anyone who reaches the port can "
                      "submit commands that nodes run). Give --tls-cert, --tls-key and --tls-ca (mutual TLS), or "
                      "--insecure on a network you trust completely");
}

} // namespace dtf::app
