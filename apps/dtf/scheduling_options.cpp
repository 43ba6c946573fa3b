#include "apps/dtf/scheduling_options.hpp"

#include "scheduler/model/worker_slots.hpp"

namespace dtf::app {

void add_scheduling_options(option_table& table, scheduler_config& config, std::string& policy) {
  table.text("scheduling.policy", "--policy", "placement policy (intelligent, seed, round_robin, ...)", policy);
  table.whole("scheduling.max-tasks-per-worker", "--max-tasks-per-worker",
              "concurrent tasks per worker unless the worker says", config.max_tasks_per_worker, 1, max_worker_slots);
  add_scheduling_switches(table, config);
}

void add_scheduling_switches(option_table& table, scheduler_config& config) {
  struct switch_option {
    const char* name;
    bool scheduler_config::*field;
    const char* help;
  };
  static const switch_option switches[] = {
    {"prioritize-hardware-match", &scheduler_config::prioritize_hardware_match,
     "score the preferred device kinds of a task higher"},
    {"load-balance", &scheduler_config::load_balance, "prefer less loaded workers"},
    {"consider-worker-performance", &scheduler_config::consider_worker_performance,
     "score workers by speed and live metrics"},
    {"enable-task-affinity", &scheduler_config::enable_task_affinity, "keep related models on the same worker"},
    {"enable-worker-specialization", &scheduler_config::enable_worker_specialization,
     "prefer workers that are good at a task type"},
    {"enable-predictive-scheduling", &scheduler_config::enable_predictive_scheduling,
     "place by predicted finish times"},
    {"allow-deferral", &scheduler_config::allow_deferral, "hold a task for a busy worker predicted to finish sooner"},
    {"backup-attempts", &scheduler_config::backup_attempts, "start a backup attempt of a task that overran"},
    {"leave-scarce-profiles", &scheduler_config::leave_scarce_profiles,
     "leave the workers that waiting tasks can only run on to them"},
    {"probe-untried-devices", &scheduler_config::probe_untried_devices,
     "try a waiting task on an idle device its model never ran on, cut off past 3x its best time"},
    {"learn-task-variants", &scheduler_config::learn_task_variants,
     "learn each task variant's run time (its id less its digits) before its model's"},
    {"distrust-unranked-predictions", &scheduler_config::distrust_unranked_predictions,
     "while submissions arrive, bet nothing on predictions that do not order the run times that followed"},
  };
  for (const auto& s : switches)
    table.boolean(std::string{"scheduling."} + s.name, std::string{"--"} + s.name, s.help, config.*(s.field));
  struct weight_option {
    const char* name;
    double scoring_weights::*field;
  };
  static const weight_option weights[] = {
    {"hardware-match", &scoring_weights::hardware_match},
    {"memory-margin", &scoring_weights::memory_margin},
    {"compute-capability", &scoring_weights::compute_capability},
    {"cores", &scoring_weights::cores},
    {"device-match", &scoring_weights::device_match},
    {"specialization", &scoring_weights::specialization},
    {"affinity", &scoring_weights::affinity},
    {"efficiency", &scoring_weights::efficiency},
    {"load", &scoring_weights::load},
    {"predicted-finish", &scoring_weights::predicted_finish},
  };
  for (const auto& w : weights)
    table.number(std::string{"scheduling.weights."} + w.name, std::string{"--weight-"} + w.name,
                 std::string{"weight of the "} + w.name + " score term", config.weights.*(w.field), 0, 1e6);
}

std::vector<std::string> take_scheduling_switches(int argc, char** argv, scheduler_config& config) {
  option_table table;
  add_scheduling_switches(table, config);
  return table.take_known(argc, argv);
}

} // namespace dtf::app
