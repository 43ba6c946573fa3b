#pragma once
// Policy names the simulator and benchmark accept: every make_policy name, plus
// ablations of the intelligent policy with one feature switched off.
#include "scheduler/core/scheduler_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtf {

struct policy_variant {
  std::string policy;       // the make_policy name
  scheduler_config config;  // the base config with the variant's switches applied
};

/// nullopt for an unknown name. Ablations: "intelligent-no-affinity",
/// "intelligent-no-specialization", "intelligent-no-prediction",
/// "intelligent-no-backups", "intelligent-no-deferral", "intelligent-no-scarcity",
/// "intelligent-longest-first", "intelligent-guessed-order",
/// "intelligent-submission-aged", "intelligent-no-probes", "intelligent-no-variants",
/// "intelligent-no-rank-verdict".
std::optional<policy_variant> resolve_policy_variant(std::string_view name, const scheduler_config& base);

/// make_policy's names followed by the ablations.
std::vector<std::string> simulation_policy_names();

} // namespace dtf
