// The cost of watching a run over HTTP (dtf run --http), through the
// embedding API and real HTTP requests on loopback. Prints its figures;
// targets (issue 14):
//   GET /metrics with 100,000 tasks known and 1,000 workers   <= 50 ms
//   scheduling throughput while /metrics is scraped every second: at most 2 % lower
// Part 1 submits the tasks to emulated workers that take long (nothing ends
// while it measures) and times scrapes of /metrics, /status and /tasks.
// Part 2 runs the same tasks to the end on the same fleet at --time-scale 0
// (emulated attempts end at once, so the figure is the pipeline's and the
// scheduler's throughput), alternately without HTTP and with HTTP scraped
// every second, --repeats times each.
// Usage: metrics_scrape_bench [--tasks N] [--workers N] [--scrapes N] [--repeats N]
#include "actors/runtime.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<dtf::worker_capability> fleet(std::size_t n) {
  const char* models[] = {"NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3", "NVIDIA V100-SXM2-32GB", "Tesla T4"};
  std::vector<dtf::worker_capability> out;
  for (std::size_t i = 0; i < n; ++i) {
    dtf::worker_capability w;
    w.id = "gpu-" + std::to_string(i);
    w.kind = dtf::device_kind::cuda;
    w.name = models[i % 4];
    w.memory_bytes = 32ull << 30;
    w.compute_capability = 8.0;
    w.speed = 1.0 + static_cast<double>(i % 4) * 0.25;
    w.slots = 2;
    w.emulated = true;
    out.push_back(w);
  }
  return out;
}

std::vector<dtf::task> tasks(std::size_t n) {
  const char* models[] = {"bert-base-uncased", "t5-small", "vit-base-patch16", "llama-2-7b", "whisper-small",
                          "clip-vit-base", "roberta-large", "opt-1.3b"};
  std::vector<dtf::task> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    dtf::task t;
    t.id = "bench-task-" + std::to_string(i);
    t.type = dtf::task_type::benchmark;
    t.model = models[i % 8];
    t.batch_size = 1 << (i % 5);
    t.requirements.hardware = {dtf::device_kind::cuda};
    t.timeout_s = 1e6;
    out.push_back(std::move(t));
  }
  return out;
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

struct percentiles {
  double p50, p95, max;
};

percentiles summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.5), at(0.95), v.back()};
}

int port_of(const std::string& url) {
  std::smatch m;
  static const std::regex r{R"(:([0-9]+)/$)"};
  return std::regex_search(url, m, r) ? std::stoi(m[1]) : 0;
}

dtf::runtime_config config(std::size_t workers, double time_scale, bool http) {
  dtf::runtime_config c;
  c.probe_local = false;
  c.fleet = fleet(workers);
  c.time_scale = time_scale;
  c.metrics_interval_s = 0;
  if (http) c.http_address = "127.0.0.1:0";
  return c;
}

void scrape_time(std::size_t n_tasks, std::size_t n_workers, int scrapes) {
  dtf::runtime rt{config(n_workers, 1e6, true)};  // a modeled second lasts 11 days: nothing ends
  rt.start();
  const auto t0 = clock_type::now();
  rt.submit(tasks(n_tasks));
  std::printf("submitted %zu tasks to %zu workers in %.0f ms\n", n_tasks, n_workers, ms_since(t0));
  httplib::Client client{"127.0.0.1", port_of(rt.http_url())};
  client.set_read_timeout(30, 0);
  // Wait until the coordinator has published every task (the first request
  // starts the publishing).
  for (int i = 0; i < 600; ++i) {
    auto r = client.Get("/tasks?limit=1");
    if (r && r->body.find("\"total\":" + std::to_string(n_tasks)) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const char* path : {"/metrics", "/status", "/tasks?limit=1000", "/workers"}) {
    std::vector<double> ms;
    std::size_t bytes = 0;
    for (int i = 0; i < scrapes; ++i) {
      const auto s0 = clock_type::now();
      auto r = client.Get(path);
      ms.push_back(ms_since(s0));
      if (!r || r->status != 200) {
        std::printf("GET %s failed\n", path);
        return;
      }
      bytes = r->body.size();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto p = summarize(ms);
    std::printf("GET %-18s %zu tasks, %zu workers: p50 %.2f ms, p95 %.2f ms, max %.2f ms (%zu bytes, %d requests)\n",
                path, n_tasks, n_workers, p.p50, p.p95, p.max, bytes, scrapes);
  }
  rt.interrupt("SIGTERM");
  rt.wait();
  rt.stop();
}

/// Sum of dtf_observation_publish_seconds_total over the actors in a /metrics text.
double publish_seconds(const std::string& text) {
  static const std::regex line{R"(dtf_observation_publish_seconds_total\{actor="[a-z]+"\} ([0-9.eE+-]+))"};
  double total = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it) {
    std::printf("    %s\n", it->str().c_str());
    total += std::stod((*it)[1]);
  }
  return total;
}

/// Tasks per second to run every task to the end (scraping /metrics every
/// second when `http`); also the scrapes' latencies and the seconds the
/// actors spent publishing views (`publish_s`).
double throughput(std::size_t n_tasks, std::size_t n_workers, bool http, std::vector<double>& scrape_ms,
                  double& publish_s, double& run_s) {
  dtf::runtime rt{config(n_workers, 0.0, http)};
  rt.start();
  auto work = tasks(n_tasks);
  std::atomic<bool> done{false};
  std::thread scraper;
  if (http) {
    scraper = std::thread{[&] {
      httplib::Client client{"127.0.0.1", port_of(rt.http_url())};
      client.set_read_timeout(30, 0);
      while (!done) {
        const auto s0 = clock_type::now();
        auto r = client.Get("/metrics");
        if (r && r->status == 200) scrape_ms.push_back(ms_since(s0));
        for (int i = 0; i < 20 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }};
  }
  const auto t0 = clock_type::now();
  rt.submit(std::move(work));
  const auto stats = rt.wait();
  const double seconds = ms_since(t0) / 1000.0;
  run_s = seconds;
  done = true;
  if (scraper.joinable()) scraper.join();
  if (http) {
    httplib::Client client{"127.0.0.1", port_of(rt.http_url())};
    if (auto r = client.Get("/metrics")) publish_s = publish_seconds(r->body);
  }
  rt.stop();
  if (stats.succeeded != n_tasks) std::printf("  warning: %llu of %zu succeeded\n", static_cast<unsigned long long>(stats.succeeded), n_tasks);
  return static_cast<double>(n_tasks) / seconds;
}

} // namespace

int main(int argc, char** argv) {
  std::size_t n_tasks = 100000, n_workers = 1000;
  int scrapes = 20, repeats = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view arg = argv[i];
    if (arg == "--tasks") n_tasks = std::strtoull(argv[i + 1], nullptr, 10);
    else if (arg == "--workers") n_workers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (arg == "--scrapes") scrapes = std::atoi(argv[i + 1]);
    else if (arg == "--repeats") repeats = std::atoi(argv[i + 1]);
  }
  std::printf("== /metrics scrape time (target <= 50 ms)\n");
  scrape_time(n_tasks, n_workers, scrapes);
  std::printf("== scheduling throughput, /metrics scraped every second (target: at most 2 %% lower)\n");
  std::vector<double> plain, watched, scrape_ms;
  for (int r = 0; r < repeats; ++r) {
    double publish_s = 0, run_s = 0, unused = 0;
    plain.push_back(throughput(n_tasks, n_workers, false, scrape_ms, unused, unused));
    watched.push_back(throughput(n_tasks, n_workers, true, scrape_ms, publish_s, run_s));
    std::printf("  round %d: without HTTP %.0f tasks/s, with HTTP scraped every second %.0f tasks/s; the actors "
                "spent %.3f s of the %.1f s publishing views (%.2f %%)\n",
                r + 1, plain.back(), watched.back(), publish_s, run_s, 100.0 * publish_s / run_s);
  }
  const auto a = summarize(plain).p50, b = summarize(watched).p50;
  std::printf("median over %d rounds: without HTTP %.0f tasks/s, scraped %.0f tasks/s: %+.1f %%\n", repeats, a, b,
              100.0 * (b - a) / a);
  if (!scrape_ms.empty()) {
    const auto p = summarize(scrape_ms);
    std::printf("scrapes during those runs: %zu, p50 %.2f ms, p95 %.2f ms, max %.2f ms\n", scrape_ms.size(), p.p50,
                p.p95, p.max);
  }
  return 0;
}
