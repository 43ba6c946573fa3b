#pragma once
// What the tests that run actors under CAF's deterministic `testing`
// scheduler share: the configuration, and a listener that records every task
// update.
#include "actors/interfaces.hpp"
#include "actors/system_setup.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <vector>

namespace dtf::testing {

inline caf::actor_system_config& deterministic(caf::actor_system_config& cfg) {
  configure_deterministic_actor_system(cfg);
  return cfg;
}

inline event_listener_actor::behavior_type recording_listener(event_listener_actor::pointer,
                                                              std::shared_ptr<std::vector<task_update>> log) {
  return {
    [log](atom::event, const std::vector<task_update>& updates) {
      log->insert(log->end(), updates.begin(), updates.end());
    },
  };
}

} // namespace dtf::testing
