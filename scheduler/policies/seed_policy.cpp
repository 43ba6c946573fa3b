// seed: the original implementation's effective behaviour, kept as a baseline.
//   score = 10
//         + 5    if the worker's kind is among the task's acceptable kinds
//         + 0.5 x (worker memory GB - required GB)        (raw GB: it dominates)
//         + 0.3 x (compute capability - required; 0 when not given), CUDA workers
//         + 1    if the worker's name contains the preferred device name
//         + 2 x success rate, when the rate is above 0.5 (no history: no term)
//         - 0.5 x failures among the worker's last 10 results
//         - 1 per task already running on the worker
// Highest score wins, ties to the earliest registered worker. No affinity,
// specialization or prediction: it never consults the predictor.
#include "scheduler/policies/policy_factories.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>

namespace dtf {
namespace {

constexpr std::size_t recent_window = 10;

bool name_contains(std::string_view name, std::string_view wanted) {
  if (wanted.empty()) return false;
  return std::search(name.begin(), name.end(), wanted.begin(), wanted.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != name.end();
}

class seed_policy final : public placement_policy {
public:
  std::string_view name() const override { return "seed"; }

  std::optional<std::size_t> choose(const task& t, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view& view, double now_s) override {
    std::optional<std::size_t> best;
    double best_score = 0.0;
    for (std::size_t index : free_feasible) {
      const double s = explain(t, index, view, now_s).total;
      if (!best || s > best_score) best = index, best_score = s;
    }
    return best;
  }

  candidate_explanation explain(const task& t, std::size_t worker_index, const scheduler_view& view, double) override {
    const auto& w = view.worker(worker_index);
    const auto& req = t.requirements;
    auto c = baseline_candidate(view, worker_index);
    auto add = [&c](std::string name, double value, double weight) {
      c.terms.push_back({std::move(name), value, weight, value * weight});
      c.total += value * weight;
    };
    add("base", 1.0, 10.0);
    const bool kind_ok = req.hardware.empty() ? w.kind == device_kind::cpu
                                              : std::find(req.hardware.begin(), req.hardware.end(), w.kind) !=
                                                    req.hardware.end();
    add("hardware_match", kind_ok ? 1.0 : 0.0, 5.0);
    add("memory_margin_gb", memory_gb(w) - req.min_memory_gb, 0.5);
    if (w.kind == device_kind::cuda && w.compute_capability)
      add("compute_margin", *w.compute_capability - req.min_cuda_compute.value_or(0.0), 0.3);
    add("device_match", req.device && name_contains(w.name, *req.device) ? 1.0 : 0.0, 1.0);
    const auto history = history_.find(w.id);
    if (history != history_.end()) {
      const auto& h = history->second;
      const double rate = static_cast<double>(h.succeeded) / static_cast<double>(h.total);
      if (rate > 0.5) add("success_rate", rate, 2.0);
      add("recent_failures", static_cast<double>(std::count(h.recent.begin(), h.recent.end(), false)), -0.5);
    }
    add("running_tasks", view.running(worker_index), -1.0);
    return c;
  }

  void on_result(const task_result& r) override {
    auto& h = history_[r.worker_id];
    const bool ok = r.status == task_status::succeeded;
    ++h.total;
    if (ok) ++h.succeeded;
    h.recent.push_back(ok);
    if (h.recent.size() > recent_window) h.recent.pop_front();
  }

private:
  struct worker_history {
    long long total = 0;
    long long succeeded = 0;
    std::deque<bool> recent;
  };
  std::map<std::string, worker_history> history_;  // by worker id; looked up, never iterated
};

} // namespace

std::unique_ptr<placement_policy> make_seed_policy(const scheduler_config&) {
  return std::make_unique<seed_policy>();
}

} // namespace dtf
