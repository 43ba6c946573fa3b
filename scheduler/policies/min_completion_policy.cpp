// min_completion: the free feasible worker where the task is predicted to
// finish first (the core's online predictor; no deferral, affinity or
// specialization). Ties to the earliest registered.
#include "scheduler/policies/policy_factories.hpp"

namespace dtf {
namespace {

class min_completion_policy final : public placement_policy {
public:
  std::string_view name() const override { return "min_completion"; }

  std::optional<std::size_t> choose(const task& t, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view& view, double) override {
    std::optional<std::size_t> best;
    double best_s = 0.0;
    for (std::size_t index : free_feasible) {
      const double s = view.predicted_duration_s(t, index);  // a free slot starts now
      if (!best || s < best_s) best = index, best_s = s;
    }
    return best;
  }

  candidate_explanation explain(const task& t, std::size_t worker_index, const scheduler_view& view,
                                double now_s) override {
    auto c = baseline_candidate(view, worker_index);
    c.predicted_duration_s = view.predicted_duration_s(t, worker_index);
    const double start_in_s = c.has_free_slot ? 0.0 : view.predicted_slot_free_in_s(worker_index, now_s);
    const double finish_in_s = start_in_s + c.predicted_duration_s;
    c.terms.push_back({"predicted_finish_s", finish_in_s, -1.0, -finish_in_s});
    c.total = -finish_in_s;
    return c;
  }
};

} // namespace

std::unique_ptr<placement_policy> make_min_completion_policy(const scheduler_config&) {
  return std::make_unique<min_completion_policy>();
}

} // namespace dtf
