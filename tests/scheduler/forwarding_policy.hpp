#pragma once
// A policy that forwards to the intelligent policy and counts its decisions;
// its options hide what a test wants the core not to use, so that the core's
// shortcuts can be compared with the plain way.
#include "scheduler/core/policy_hooks.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <memory>

namespace dtf::testing {

class forwarding_policy final : public placement_policy, public policy_hooks {
public:
  struct options {
    /// Hand choose() the flat list of free feasible workers (it then scores every one).
    bool free_feasible_list = false;
    /// Pass on the deferral bounds (else the core asks at every call).
    bool deferral_bounds = true;
  };
  forwarding_policy(const scheduler_config& config, options o)
    : inner_(make_policy("intelligent", config)), hooks_(dynamic_cast<const policy_hooks&>(*inner_)), options_(o) {}
  std::string_view name() const override { return inner_->name(); }
  std::optional<std::size_t> choose(const task& t, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t> busy_feasible, const scheduler_view& view,
                                    double now_s) override {
    ++decisions;
    return inner_->choose(t, free_feasible, busy_feasible, view, now_s);
  }
  candidate_explanation explain(const task& t, std::size_t worker_index, const scheduler_view& view,
                                double now_s) override {
    return inner_->explain(t, worker_index, view, now_s);
  }
  std::optional<double> last_choice_score() const override { return hooks_.last_choice_score(); }
  bool wants_busy_feasible() const override { return hooks_.wants_busy_feasible(); }
  bool wants_free_feasible() const override { return options_.free_feasible_list || hooks_.wants_free_feasible(); }
  std::size_t deferral_pass_over() const override { return hooks_.deferral_pass_over(); }
  std::optional<deferral_bound> last_deferral_bound() const override {
    return options_.deferral_bounds ? hooks_.last_deferral_bound() : std::nullopt;
  }
  bool wants_backups() const override { return hooks_.wants_backups(); }
  bool wants_probes() const override { return hooks_.wants_probes(); }
  bool prefers_warm_tasks() const override { return hooks_.prefers_warm_tasks(); }
  bool orders_shortest_first() const override { return hooks_.orders_shortest_first(); }
  bool refines_guessed_estimates() const override { return hooks_.refines_guessed_estimates(); }

  std::size_t decisions = 0;  // choose() calls

private:
  std::unique_ptr<placement_policy> inner_;
  const policy_hooks& hooks_;  // the intelligent policy's
  options options_;
};

} // namespace dtf::testing
