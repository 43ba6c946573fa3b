#include "scheduler/policies/policy_factories.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace dtf {

namespace {
struct registered_policy {
  std::string_view name;
  std::unique_ptr<placement_policy> (*make)(const scheduler_config&);
};

const std::vector<registered_policy>& registry() {
  static const std::vector<registered_policy> table = {
      {"intelligent", &make_intelligent_policy},
      {"seed", &make_seed_policy},
      {"round_robin", &make_round_robin_policy},
      {"random", &make_random_policy},
      {"least_loaded", &make_least_loaded_policy},
      {"min_completion", &make_min_completion_policy},
  };
  return table;
}
} // namespace

std::unique_ptr<placement_policy> make_policy(std::string_view name, const scheduler_config& config) {
  for (const auto& p : registry())
    if (p.name == name) return p.make(config);
  std::string valid;
  for (const auto& n : policy_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown policy '" + std::string{name} + "' (valid: " + valid + ")");
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : registry()) names.emplace_back(p.name);
  return names;
}

} // namespace dtf
