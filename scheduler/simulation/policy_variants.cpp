#include "scheduler/simulation/policy_variants.hpp"

#include "scheduler/core/scheduler_core.hpp"

#include <algorithm>

namespace dtf {

std::optional<policy_variant> resolve_policy_variant(std::string_view name, const scheduler_config& base) {
  policy_variant v{"intelligent", base};
  if (name == "intelligent-no-affinity") {
    v.config.enable_task_affinity = false;
  } else if (name == "intelligent-no-specialization") {
    v.config.enable_worker_specialization = false;
  } else if (name == "intelligent-no-prediction") {
    v.config.enable_predictive_scheduling = false;
    v.config.allow_deferral = false;  // deferral is part of predictive scheduling
    v.config.backup_attempts = false;  // so are backup attempts
  } else if (name == "intelligent-no-backups") {
    v.config.backup_attempts = false;
  } else if (name == "intelligent-no-faster-copies") {
    v.config.backup_to_faster_workers = false;
  } else if (name == "intelligent-no-deferral") {
    v.config.allow_deferral = false;
  } else if (name == "intelligent-no-scarcity") {
    v.config.leave_scarce_profiles = false;
  } else if (name == "intelligent-longest-first") {
    v.config.shortest_first = false;
  } else if (name == "intelligent-guessed-order") {
    v.config.refine_guessed_estimates = false;
  } else if (name == "intelligent-submission-aged") {
    v.config.aged_in_aging_order = false;
  } else if (name == "intelligent-no-probes") {
    v.config.probe_untried_devices = false;
  } else if (name == "intelligent-no-variants") {
    v.config.learn_task_variants = false;
  } else if (name == "intelligent-no-rank-verdict") {
    v.config.distrust_unranked_predictions = false;
  } else {
    const auto names = policy_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) return std::nullopt;
    v.policy = std::string{name};
  }
  return v;
}

std::vector<std::string> simulation_policy_names() {
  auto names = policy_names();
  for (const char* ablation : {"intelligent-no-affinity", "intelligent-no-specialization", "intelligent-no-prediction",
                               "intelligent-no-backups", "intelligent-no-faster-copies", "intelligent-no-deferral",
                               "intelligent-no-scarcity", "intelligent-longest-first", "intelligent-guessed-order",
                               "intelligent-submission-aged", "intelligent-no-probes", "intelligent-no-variants",
                               "intelligent-no-rank-verdict"})
    names.emplace_back(ablation);
  return names;
}

} // namespace dtf
