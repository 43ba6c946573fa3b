// round_robin: the next free feasible worker at or after the one following the
// previous choice, in registration order (wrapping around).
#include "scheduler/policies/policy_factories.hpp"

namespace dtf {
namespace {

class round_robin_policy final : public placement_policy {
public:
  std::string_view name() const override { return "round_robin"; }

  std::optional<std::size_t> choose(const task&, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view&, double) override {
    if (free_feasible.empty()) return std::nullopt;
    std::size_t chosen = free_feasible.front();
    for (std::size_t index : free_feasible)
      if (index >= next_) {
        chosen = index;
        break;
      }
    next_ = chosen + 1;
    return chosen;
  }

  candidate_explanation explain(const task&, std::size_t worker_index, const scheduler_view& view, double) override {
    auto c = baseline_candidate(view, worker_index);
    // Distance in registration order from the rotation pointer (0 = next in turn).
    const auto n = view.worker_count();
    const double distance = static_cast<double>((worker_index + n - next_ % n) % n);
    c.terms.push_back({"rotation_distance", distance, -1.0, -distance});
    c.total = -distance;
    return c;
  }

private:
  std::size_t next_ = 0;
};

} // namespace

std::unique_ptr<placement_policy> make_round_robin_policy(const scheduler_config&) {
  return std::make_unique<round_robin_policy>();
}

} // namespace dtf
