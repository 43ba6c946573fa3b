// `dtf status [TASK]`, `dtf cancel TASK...|--all` and `dtf stats` against a
// running coordinator. Every request gives up after --request-timeout. Exit
// 0 on an answer, 1 when the coordinator cannot be reached or a task is
// unknown / already final (cancel), 2 for bad input.
#include "actors/cluster/cluster_client.hpp"
#include "apps/dtf/cluster_options.hpp"
#include "apps/dtf/host_port.hpp"
#include "apps/dtf/option_table.hpp"
#include "apps/dtf/run_summary.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/model/duration_text.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <iostream>

namespace dtf::app {

namespace {

const char* kind_text(task_event_kind kind) {
  switch (kind) {
    case task_event_kind::accepted: return "pending";
    case task_event_kind::rejected: return "unknown";
    case task_event_kind::assigned: return "assigned";
    case task_event_kind::started: return "running";
    case task_event_kind::attempt_done: return "attempt done";
    case task_event_kind::retrying: return "retrying";
    case task_event_kind::finished: return "finished";
    case task_event_kind::unplaceable: return "unplaceable";
  }
  return "?";
}

struct query_options {
  std::string coordinator = "127.0.0.1:" + std::to_string(default_coordinator_port);
  middleman_settings settings;
  int threads = 0;
  bool json = false;
  bool all = false;
  bool insecure = false;
};

/// Parses the shared options (plus --all for cancel); runs `body` with a
/// connected client and the positional arguments.
int run_query(const char* name, const char* usage, int argc, char** argv, bool takes_all,
              const std::function<int(cluster_client&, const std::vector<std::string>&, const query_options&)>& body) {
  query_options o;
  option_table table;
  table.text("client.coordinator", "--coordinator", "the coordinator, HOST:PORT", o.coordinator);
  table.boolean("", "--json", "print JSON", o.json);
  if (takes_all) table.boolean("", "--all", "every task that is not final yet", o.all);
  add_middleman_options(table, o.settings, o.threads, o.insecure);
  std::vector<std::string> positional;
  host_port where;
  try {
    positional = table.parse(argc, argv);
    if (table.help_requested()) {
      std::cout << usage << "\noptions (flag, config key, what, [value]):\n";
      table.describe(std::cout);
      return 0;
    }
    if (table.dump_requested()) {
      table.dump(std::cout);
      return 0;
    }
    where = parse_host_port(o.coordinator);
    require_loopback(where.host, o.insecure, "--coordinator", "connect to", o.settings.tls);
    o.settings.threads = static_cast<std::size_t>(o.threads);
  } catch (const std::exception& e) {
    std::cerr << "dtf " << name << ": " << e.what() << "\n";
    return 2;
  }
  try {
    cluster_client client{where.host, where.port, o.settings};
    client.connect();
    return body(client, positional, o);
  } catch (const std::exception& e) {
    std::cerr << "dtf " << name << ": " << e.what() << "\n";
    return 1;
  }
}

} // namespace

int status_command(int argc, char** argv) {
  return run_query("status", "usage: dtf status [TASK...] --coordinator HOST:PORT [--json]", argc, argv, false,
                   [](cluster_client& client, const std::vector<std::string>& ids, const query_options& o) {
                     if (ids.empty()) {
                       auto s = client.stats();
                       if (o.json) {
                         nlohmann::json j{{"submitted", s.submitted}, {"pending", s.pending},
                                          {"assigned", s.assigned},   {"running", s.running},
                                          {"succeeded", s.succeeded}, {"failed", s.failed},
                                          {"timed_out", s.timed_out}, {"cancelled", s.cancelled},
                                          {"unplaceable", s.unplaceable}, {"rejected", s.rejected},
                                          {"workers", s.workers.size()}, {"workers_lost", s.workers_lost}};
                         std::cout << j.dump() << "\n";
                       } else {
                         std::cout << s.submitted << " tasks: " << s.pending << " pending, " << s.assigned
                                   << " assigned, " << s.running << " running, " << s.succeeded << " succeeded, "
                                   << s.failed << " failed, " << s.timed_out << " timed out, " << s.cancelled
                                   << " cancelled, " << s.unplaceable << " unplaceable, " << s.rejected
                                   << " rejected; " << s.workers.size() << " workers (" << s.workers_lost
                                   << " lost)\n";
                       }
                       return 0;
                     }
                     int rc = 0;
                     for (const auto& id : ids) {
                       auto u = client.status(id);
                       if (u.kind == task_event_kind::rejected) rc = 1;
                       if (o.json) {
                         nlohmann::json j{{"task", id},        {"state", kind_text(u.kind)},
                                          {"status", std::string{to_string(u.status)}},
                                          {"worker", u.worker_id}, {"attempts", u.attempt}, {"reason", u.reason}};
                         if (u.predicted_duration_s > 0) j["predicted_s"] = u.predicted_duration_s;
                         // The id comes from argv: bytes that are not UTF-8 become U+FFFD.
                         std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
                       } else {
                         std::cout << id << ": " << kind_text(u.kind);
                         if (u.kind == task_event_kind::finished) std::cout << " " << to_string(u.status);
                         if (!u.worker_id.empty()) std::cout << " on " << u.worker_id;
                         if (u.attempt > 0) std::cout << ", " << u.attempt << " attempts";
                         if (u.predicted_duration_s > 0 && u.kind != task_event_kind::finished)
                           std::cout << ", predicted " << format_duration(u.predicted_duration_s);
                         if (!u.reason.empty()) std::cout << " (" << u.reason << ")";
                         std::cout << "\n";
                       }
                     }
                     return rc;
                   });
}

int cancel_command(int argc, char** argv) {
  return run_query("cancel", "usage: dtf cancel TASK...|--all --coordinator HOST:PORT", argc, argv, true,
                   [](cluster_client& client, const std::vector<std::string>& ids, const query_options& o) {
                     if (o.all == !ids.empty()) {
                       std::cerr << "dtf cancel: give task ids or --all (not both)\n";
                       return 2;
                     }
                     if (o.all) {
                       std::cout << client.cancel_all() << " tasks cancelled\n";
                       return 0;
                     }
                     int rc = 0;
                     for (const auto& id : ids) {
                       const bool ok = client.cancel(id);
                       std::cout << id << ": " << (ok ? "cancelled" : "unknown or already final") << "\n";
                       if (!ok) rc = 1;
                     }
                     return rc;
                   });
}

int stats_command(int argc, char** argv) {
  return run_query("stats", "usage: dtf stats --coordinator HOST:PORT", argc, argv, false,
                   [](cluster_client& client, const std::vector<std::string>& extra, const query_options&) {
                     if (!extra.empty()) {
                       std::cerr << "dtf stats: unexpected argument '" << extra.front() << "'\n";
                       return 2;
                     }
                     std::cout << run_stats_json(client.stats(), {}) << "\n";
                     return 0;
                   });
}

} // namespace dtf::app
