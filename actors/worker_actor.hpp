#pragma once
// A worker actor: one per device (or one per emulated fleet entry).
#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

#include <cstddef>
#include <string>

namespace dtf {

struct worker_options {
  /// Emulated workers: wall seconds per modeled second (0 = finish at once).
  double time_scale = 1.0;
  /// Per-attempt stdout/stderr files of real commands.
  std::string output_dir = "dtf-output";
  std::size_t output_cap_bytes = 1 << 20;
  double kill_grace_s = 2.0;
  /// Emulated workers keep this many models warm (no load cost), most recent first.
  std::size_t warm_models = 3;
};

/// `coordinator` receives `atom::started` and `atom::result` batches.
worker_actor spawn_worker(caf::actor_system& system, worker_capability capability, caf::actor coordinator,
                          worker_options options);

} // namespace dtf
