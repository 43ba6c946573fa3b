// The HTTP server against a hand-filled observation board, over real HTTP on
// loopback: endpoints, the token, sizes, the metrics text's format.
#include "actors/http/http_address.hpp"
#include "actors/http/http_server.hpp"
#include "actors/observation/observation_board.hpp"
#include "tests/http/prometheus_text.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace dtf {
namespace {

std::size_t testing_count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::shared_ptr<const coordinator_view> sample_view(std::size_t tasks) {
  auto v = std::make_shared<coordinator_view>();
  v->version = 1;
  v->published_at_s = unix_now_s();
  v->tasks_published_at_s = v->published_at_s;
  v->started_at_s = v->published_at_s - 10.0;
  v->counts.submitted = tasks;
  v->counts.succeeded = tasks - 1;
  v->counts.running = 1;
  v->counts.attempts = tasks;
  v->counts.elapsed_s = 10.0;
  v->counts.workers_registered = 2;
  v->task_count = tasks;
  for (std::size_t c = 0; c * observed_task_chunk < tasks; ++c) {
    auto rows = std::make_shared<std::vector<observed_task>>();
    for (std::size_t i = c * observed_task_chunk; i < std::min(tasks, (c + 1) * observed_task_chunk); ++i) {
      observed_task t;
      t.id = "task-" + std::to_string(i);
      t.status = i + 1 == tasks ? task_status::running : task_status::succeeded;
      t.worker_id = "gpu \"a\"";
      t.submitted_at_s = v->started_at_s;
      rows->push_back(t);
    }
    v->task_chunks.push_back(rows);
  }
  observed_worker a;
  a.id = "gpu \"a\"";  // a label value that needs escaping
  a.kind = "cuda";
  a.slots = 2;
  a.running = 1;
  a.busy_s = 5.0;
  a.metrics.temperature_c = 61.0;
  a.metrics.power_w = 250.5;
  a.running_tasks = {"task-" + std::to_string(tasks - 1)};
  observed_worker b;
  b.id = "cpu-pkg0";
  b.kind = "cpu";
  b.slots = 4;
  v->workers = {a, b};
  v->timeline.push_back({"task-0", a.id, 1, v->started_at_s + 1, v->started_at_s + 2, task_status::succeeded});
  return v;
}

struct http_server_fixture : ::testing::Test {
  std::shared_ptr<observation_board> board = std::make_shared<observation_board>(0.05);

  std::unique_ptr<http_server> serve(const std::string& token = "", std::size_t max_bytes = 32u << 20) {
    http_server_options o;
    o.address = "127.0.0.1:0";
    o.token = token;
    o.max_response_bytes = max_bytes;
    auto s = std::make_unique<http_server>(board, o);
    s->start();
    return s;
  }
};

TEST_F(http_server_fixture, answers_503_before_the_run_publishes_and_serves_the_page_at_once) {
  auto server = serve();
  httplib::Client client{"127.0.0.1", server->port()};
  client.set_read_timeout(10, 0);
  auto status = client.Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 503);
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<svg id=\"timeline\""), std::string::npos);
  // It loads nothing from elsewhere: the only address in it is the SVG namespace.
  EXPECT_EQ(testing_count(page->body, "http://"), testing_count(page->body, "http://www.w3.org/2000/svg"));
  EXPECT_EQ(testing_count(page->body, "https://"), 0u);
  for (const char* external : {"<link", " src=", "@import", "url("})
    EXPECT_EQ(page->body.find(external), std::string::npos) << external;
}

TEST_F(http_server_fixture, metrics_are_valid_exposition_text_with_escaped_labels) {
  board->publish(sample_view(5));
  auto sched = std::make_shared<scheduler_view_data>();
  sched->stats.decisions = 5;
  sched->round_latency.observe(0.002);
  sched->round_latency.observe(0.2);
  board->publish(std::shared_ptr<const scheduler_view_data>(sched));
  auto server = serve();
  httplib::Client client{"127.0.0.1", server->port()};
  auto r = client.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto doc = testing::parse_prometheus_text(r->body);
  for (const auto& e : doc.errors) ADD_FAILURE() << e;
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "succeeded"}}), 4);
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "running"}}), 1);
  EXPECT_EQ(doc.value("dtf_worker_temperature_celsius", {{"worker", "gpu \"a\""}, {"kind", "cuda"}}), 61.0);
  EXPECT_EQ(doc.value("dtf_worker_power_watts", {{"worker", "gpu \"a\""}, {"kind", "cuda"}}), 250.5);
  EXPECT_TRUE(std::isnan(doc.value("dtf_worker_power_watts", {{"worker", "cpu-pkg0"}, {"kind", "cpu"}})))
      << "no power sample for a worker whose power is unknown";
  EXPECT_DOUBLE_EQ(doc.value("dtf_worker_busy_fraction", {{"worker", "gpu \"a\""}, {"kind", "cuda"}}), 0.5);
  EXPECT_DOUBLE_EQ(doc.value("dtf_worker_utilization", {{"worker", "gpu \"a\""}, {"kind", "cuda"}}), 0.25);
  EXPECT_EQ(doc.types["dtf_scheduler_round_duration_seconds"], "histogram");
  EXPECT_EQ(doc.value("dtf_scheduler_round_duration_seconds_bucket", {{"le", "0.005"}}), 1);
  EXPECT_EQ(doc.value("dtf_scheduler_round_duration_seconds_bucket", {{"le", "+Inf"}}), 2);
  EXPECT_EQ(doc.value("dtf_scheduler_round_duration_seconds_count"), 2);
  EXPECT_EQ(doc.value("dtf_scheduler_placements_total"), 5);
}

TEST_F(http_server_fixture, a_token_guards_every_endpoint_but_the_page) {
  board->publish(sample_view(3));
  auto server = serve("s3cret");
  httplib::Client client{"127.0.0.1", server->port()};
  for (const char* path : {"/metrics", "/status", "/tasks", "/workers", "/stats", "/tasks/task-0"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
    auto wrong = client.Get(path, {{"Authorization", "Bearer s3creT"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << path;
  }
  auto ok = client.Get("/status", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
}

TEST_F(http_server_fixture, refuses_a_non_loopback_address_without_a_token) {
  http_server_options o;
  o.address = "0.0.0.0:0";
  EXPECT_THROW((http_server{board, o}), std::invalid_argument);
  o.token = "t";
  EXPECT_NO_THROW((http_server{board, o}));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_THROW(parse_http_address("127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(parse_http_address("127.0.0.1:70000"), std::invalid_argument);
  EXPECT_THROW(parse_http_address("example.com:80"), std::invalid_argument);
  EXPECT_EQ(parse_http_address("[::1]:8080").host, "::1");
  EXPECT_EQ(parse_http_address("localhost:0").host, "127.0.0.1");
}

TEST_F(http_server_fixture, tasks_come_in_bounded_pages_and_big_responses_are_refused) {
  board->publish(sample_view(2500));
  auto server = serve();
  httplib::Client client{"127.0.0.1", server->port()};
  auto page = client.Get("/tasks?offset=1000&limit=10");
  ASSERT_TRUE(page);
  auto j = nlohmann::json::parse(page->body);
  EXPECT_EQ(j["total"], 2500);
  ASSERT_EQ(j["tasks"].size(), 10u);
  EXPECT_EQ(j["tasks"][0]["id"], "task-1000");
  auto big = client.Get("/tasks?limit=999999");
  ASSERT_TRUE(big);
  EXPECT_EQ(nlohmann::json::parse(big->body)["limit"], 10000) << "a page holds at most 10,000 tasks";
  auto running = client.Get("/tasks?state=running");
  ASSERT_TRUE(running);
  EXPECT_EQ(nlohmann::json::parse(running->body)["total"], 1);
  auto missing = client.Get("/tasks/no-such-task");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto nowhere = client.Get("/nowhere");
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);

  auto small = serve("", 2000);
  httplib::Client limited{"127.0.0.1", small->port()};
  auto refused = limited.Get("/tasks?limit=1000");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 507);
  EXPECT_NE(refused->body.find("offset"), std::string::npos);
}

TEST_F(http_server_fixture, tasks_refuses_a_parameter_it_cannot_read_naming_it_and_what_it_takes) {
  board->publish(sample_view(3));
  auto server = serve();
  httplib::Client client{"127.0.0.1", server->port()};
  // Before: each fell back to its default (or, for state, an empty list) with 200.
  for (const auto& [query, expected] : std::vector<std::pair<std::string, std::string>>{
           {"limit=abc", "limit must be a whole number (0 or more; at most 10000 are returned), not 'abc'"},
           {"limit=-1", "limit must be a whole number"},
           {"offset=abc", "offset must be a whole number (0 or more), not 'abc'"},
           {"offset=1.5", "offset must be a whole number"},
           {"state=bogus", "state must be one of pending, assigned, running, succeeded, failed, timed_out, "
                           "cancelled, unplaceable, not 'bogus'"}}) {
    auto r = client.Get("/tasks?" + query);
    ASSERT_TRUE(r) << query;
    EXPECT_EQ(r->status, 400) << query;
    EXPECT_EQ(testing_count(r->body, "\n"), 0u) << r->body;
    EXPECT_NE(nlohmann::json::parse(r->body)["error"].get<std::string>().find(expected), std::string::npos)
      << query << ": " << r->body;
  }
  // Empty values are the defaults; the states named are taken.
  for (const char* query : {"state=&offset=&limit=", "state=unplaceable", "state=timed_out&offset=0&limit=0"}) {
    auto r = client.Get(std::string{"/tasks?"} + query);
    ASSERT_TRUE(r) << query;
    EXPECT_EQ(r->status, 200) << query << ": " << r->body;
  }
}

TEST_F(http_server_fixture, a_task_comes_with_the_explanation_the_scheduler_posts) {
  board->publish(sample_view(3));
  board->set_explainer([this](const std::string& id) {
    std::thread{[this, id] { board->put_explanation(id, R"({"task":")" + id + R"(","outcome":"placed"})"); }}.detach();
  });
  auto server = serve();
  httplib::Client client{"127.0.0.1", server->port()};
  auto r = client.Get("/tasks/task-1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["id"], "task-1");
  EXPECT_EQ(j["explanation"]["outcome"], "placed");
  board->close_explainer();
  auto after = client.Get("/tasks/task-1");
  ASSERT_TRUE(after);
  EXPECT_TRUE(nlohmann::json::parse(after->body)["explanation"].is_null());
}

} // namespace
} // namespace dtf
