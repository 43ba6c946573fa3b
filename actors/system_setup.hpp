#pragma once
// Configures a CAF 0.17 actor system for dtf: registers the type-ID block
// (CAF 0.17 has no init_global_meta_objects; types are added per config).
#include <caf/fwd.hpp>

#include <cstddef>

namespace dtf {

/// Adds dtf's message types (caf::id_block::dtf) and quiets CAF's console.
void configure_actor_system(caf::actor_system_config& config, std::size_t worker_threads = 0);

/// For deterministic actor tests: the `testing` scheduler policy
/// (caf::scheduler::test_coordinator), driven with run()/run_once() and a
/// manual clock (advance_time / trigger_timeouts).
void configure_deterministic_actor_system(caf::actor_system_config& config);

} // namespace dtf
