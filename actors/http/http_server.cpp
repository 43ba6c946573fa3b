#include "actors/http/http_server.hpp"

#include "actors/http/http_address.hpp"
#include "actors/http/metrics_text.hpp"
#include "actors/http/status_json.hpp"
#include "actors/http/status_page.hpp"
#include "actors/observation/observation_board.hpp"
#include "scheduler/model/task_result.hpp"

#include <httplib.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace dtf {

namespace {

/// Compares without stopping at the first difference (no timing oracle).
bool same_secret(std::string_view given, std::string_view secret) {
  if (secret.empty() || given.size() != secret.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < secret.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ secret[i]);
  return diff == 0;
}

/// A parameter's value as given, cut for an error message.
std::string as_given(const std::string& value) { return "'" + value.substr(0, 100) + "'"; }

/// A whole number of `name` (empty: `count` unchanged); else what is wrong.
std::optional<std::string> read_count(const std::string& name, const std::string& text, const std::string& range,
                                      std::size_t& count) {
  if (text.empty()) return std::nullopt;
  std::size_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size())
    return name + " must be a whole number " + range + ", not " + as_given(text);
  count = v;
  return std::nullopt;
}

/// The states /tasks?state= takes: every task status, and unplaceable.
std::string task_state_names() {
  std::string names;
  for (auto s : {task_status::pending, task_status::assigned, task_status::running, task_status::succeeded,
                 task_status::failed, task_status::timed_out, task_status::cancelled})
    names += std::string{to_string(s)} + ", ";
  return names + "unplaceable";
}

/// /tasks's parameters (an empty one is its default); else what is wrong with one.
std::optional<std::string> read_task_query(const httplib::Request& req, task_query& q) {
  q.state = req.get_param_value("state");
  const auto state = parse_task_status(q.state);
  if (!q.state.empty() && q.state != "unplaceable" && (!state || *state == task_status::lost))  // lost: an attempt's
    return "state must be one of " + task_state_names() + ", not " + as_given(q.state);
  if (auto wrong = read_count("offset", req.get_param_value("offset"), "(0 or more)", q.offset)) return wrong;
  return read_count("limit", req.get_param_value("limit"),
                    "(0 or more; at most " + std::to_string(max_task_page) + " are returned)", q.limit);
}

void send_json_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  std::string body = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') body += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) body += c;
  }
  body += "\"}";
  res.set_content(body, "application/json");
}

std::chrono::microseconds as_micros(double seconds) {
  return std::chrono::microseconds(static_cast<std::int64_t>(std::max(0.001, seconds) * 1e6));
}

} // namespace

struct http_server::impl {
  std::shared_ptr<observation_board> board;
  http_server_options options;
  http_address address;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool started = false;

  /// Sends `body` unless it is over the size limit.
  void reply(httplib::Response& res, std::string body, const char* type) {
    if (body.size() > options.max_response_bytes) {
      send_json_error(res, 507,
                      "the response would be " + std::to_string(body.size()) + " bytes, over the limit of " +
                          std::to_string(options.max_response_bytes) + " (ask /tasks for pages: ?offset=N&limit=M)");
      return;
    }
    res.set_content(std::move(body), type);
  }

  bool authorized(const httplib::Request& req) const {
    if (options.token.empty()) return true;
    const auto header = req.get_header_value("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() <= scheme.size() || header.compare(0, scheme.size(), scheme) != 0) return false;
    return same_secret(std::string_view{header}.substr(scheme.size()), options.token);
  }

  /// The run's view (with a fresh task table when `tasks`), or a 503 when
  /// nothing is published yet.
  std::shared_ptr<const coordinator_view> run_view(httplib::Response& res, bool tasks = false) {
    auto run = tasks ? board->coordinator_with_tasks() : board->coordinator();
    if (!run) send_json_error(res, 503, "the run has not published its state yet; try again");
    return run;
  }

  void routes() {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_header("X-Content-Type-Options", "nosniff");
      // The page itself holds no data; what it fetches needs the token.
      if (req.path == "/" || req.path == "/index.html" || authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
      res.set_header("WWW-Authenticate", "Bearer");
      send_json_error(res, 401, "a bearer token is required (Authorization: Bearer TOKEN)");
      return httplib::Server::HandlerResponse::Handled;
    });
    auto page = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:");
      res.set_content(std::string{status_page_html()}, "text/html; charset=utf-8");
    };
    server.Get("/", page);
    server.Get("/index.html", page);
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      auto run = board->coordinator();
      auto sched = board->scheduler();
      reply(res, metrics_text(run.get(), sched.get()), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/status", [this](const httplib::Request&, httplib::Response& res) {
      if (auto run = run_view(res)) reply(res, status_json(*run, board->scheduler().get()), "application/json");
    });
    server.Get("/workers", [this](const httplib::Request&, httplib::Response& res) {
      if (auto run = run_view(res)) reply(res, workers_json(*run), "application/json");
    });
    server.Get("/stats", [this](const httplib::Request&, httplib::Response& res) {
      auto run = board->coordinator();
      reply(res, stats_json(run.get(), board->scheduler_detailed().get()), "application/json");
    });
    server.Get("/tasks", [this](const httplib::Request& req, httplib::Response& res) {
      task_query q;
      if (auto wrong = read_task_query(req, q)) {
        send_json_error(res, 400, *wrong);
        return;
      }
      auto run = run_view(res, true);
      if (!run) return;
      reply(res, tasks_json(*run, q), "application/json");
    });
    server.Get(R"(/tasks/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      auto run = run_view(res, true);
      if (!run) return;
      const std::string id = req.matches[1];
      if (!task_json(*run, id, std::nullopt)) {
        send_json_error(res, 404, "no task '" + id.substr(0, 200) + "'");
        return;
      }
      auto why = board->explain(id);
      reply(res, *task_json(*run, id, why), "application/json");
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) send_json_error(res, res.status, res.status == 404 ? "no such endpoint" : "request refused");
    });
  }
};

http_server::http_server(std::shared_ptr<observation_board> board, http_server_options options)
    : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  d.board = std::move(board);
  d.options = std::move(options);
  d.address = parse_http_address(d.options.address);
  if (!is_loopback_host(d.address.host) && d.options.token.empty())
    throw std::invalid_argument("serving on " + d.address.host +
                                " (not loopback) needs a bearer token: --http-token TOKEN or DTF_HTTP_TOKEN");
  const auto threads = std::max<std::size_t>(1, d.options.threads);
  d.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  d.server.set_read_timeout(as_micros(d.options.read_timeout_s));
  d.server.set_write_timeout(as_micros(d.options.write_timeout_s));
  d.server.set_keep_alive_timeout(static_cast<time_t>(std::max(1.0, std::ceil(d.options.read_timeout_s))));
  d.server.set_keep_alive_max_count(100);
  d.server.set_payload_max_length(64 * 1024);  // requests are GETs
  d.routes();
}

http_server::~http_server() { stop(); }

void http_server::start() {
  auto& d = *impl_;
  if (d.started) return;
  if (d.address.port == 0) {
    d.port = d.server.bind_to_any_port(d.address.host);
    if (d.port <= 0) throw std::runtime_error("cannot listen on " + d.address.host + " (any port)");
  } else {
    if (!d.server.bind_to_port(d.address.host, d.address.port))
      throw std::runtime_error("cannot listen on " + d.options.address + " (in use, or not an address of this machine)");
    d.port = d.address.port;
  }
  d.started = true;
  d.thread = std::thread{[&d] { d.server.listen_after_bind(); }};
}

int http_server::port() const { return impl_->port; }

std::string http_server::url() const {
  const auto& h = impl_->address.host;
  const bool v6 = h.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(impl_->port) + "/";
}

void http_server::stop() {
  auto& d = *impl_;
  if (!d.started) return;
  d.started = false;
  d.server.stop();
  if (d.thread.joinable()) d.thread.join();
}

} // namespace dtf
