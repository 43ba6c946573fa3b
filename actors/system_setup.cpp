#include "actors/system_setup.hpp"

#include "actors/type_ids.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace dtf {

void configure_actor_system(caf::actor_system_config& config, std::size_t worker_threads) {
  config.add_message_types<caf::id_block::dtf>();
  config.set("logger.console", caf::atom("none"));
  config.set("logger.file-verbosity", caf::atom("quiet"));
  if (worker_threads > 0) config.set("scheduler.max-threads", worker_threads);
  // CAF's work stealing polls an empty queue 500 more times 50 us apart
  // before it waits on a condition variable: with messages arriving every
  // millisecond or so (a cluster's results), idle threads never get past
  // that phase and spend the cores on nanosleep. Measured on a cluster of a
  // coordinator and two nodes, 20,000 no-op tasks: 3.4-5.2k tasks/s and
  // 2.4 s of the coordinator's CPU with it, 9.3-10.7k/s and 1.1 s without.
  config.set("work-stealing.moderate-poll-attempts", std::size_t{0});
}

void configure_deterministic_actor_system(caf::actor_system_config& config) {
  configure_actor_system(config);
  config.set("scheduler.policy", caf::atom("testing"));
}

} // namespace dtf
