// random: a uniformly random free feasible worker; reproducible from config.seed.
#include "scheduler/model/random_source.hpp"
#include "scheduler/policies/policy_factories.hpp"

namespace dtf {
namespace {

class random_policy final : public placement_policy {
public:
  explicit random_policy(unsigned long long seed) : random_(seed) {}
  std::string_view name() const override { return "random"; }

  std::optional<std::size_t> choose(const task&, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view&, double) override {
    if (free_feasible.empty()) return std::nullopt;
    return free_feasible[random_.index(free_feasible.size())];
  }

  candidate_explanation explain(const task&, std::size_t worker_index, const scheduler_view& view, double) override {
    auto c = baseline_candidate(view, worker_index);
    c.terms.push_back({"uniform_random", 0.0, 0.0, 0.0});  // every free candidate is equally likely
    return c;
  }

private:
  random_source random_;
};

} // namespace

std::unique_ptr<placement_policy> make_random_policy(const scheduler_config& config) {
  return std::make_unique<random_policy>(config.seed);
}

} // namespace dtf
