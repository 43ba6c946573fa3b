// least_loaded: the free feasible worker with the fewest running tasks per
// slot; ties to the earliest registered.
#include "scheduler/policies/policy_factories.hpp"

namespace dtf {
namespace {

class least_loaded_policy final : public placement_policy {
public:
  std::string_view name() const override { return "least_loaded"; }

  std::optional<std::size_t> choose(const task&, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view& view, double) override {
    std::optional<std::size_t> best;
    for (std::size_t index : free_feasible) {
      // running/slots compared exactly: r_a * s_b < r_b * s_a.
      if (!best || static_cast<long long>(view.running(index)) * view.slots(*best) <
                       static_cast<long long>(view.running(*best)) * view.slots(index))
        best = index;
    }
    return best;
  }

  candidate_explanation explain(const task&, std::size_t worker_index, const scheduler_view& view, double) override {
    auto c = baseline_candidate(view, worker_index);
    const int slots = view.slots(worker_index);
    const double load = slots > 0 ? static_cast<double>(view.running(worker_index)) / slots : 1.0;
    c.terms.push_back({"load", load, -1.0, -load});
    c.total = -load;
    return c;
  }
};

} // namespace

std::unique_ptr<placement_policy> make_least_loaded_policy(const scheduler_config&) {
  return std::make_unique<least_loaded_policy>();
}

} // namespace dtf
