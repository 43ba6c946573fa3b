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
}

void configure_deterministic_actor_system(caf::actor_system_config& config) {
  configure_actor_system(config);
  config.set("scheduler.policy", caf::atom("testing"));
}

} // namespace dtf
