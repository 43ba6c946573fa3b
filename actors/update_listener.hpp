#pragma once
// The actor that turns a coordinator's task updates into callbacks: `dtf run`
// (in process) and `dtf submit` (in another process, through the middleman)
// both read a run through it.
#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace dtf {

/// Receives every task update; calls the callbacks in order, on one thread.
/// `flush` answers once everything received before it was handled.
using update_listener_actor = event_listener_actor::extend<caf::replies_to<atom::flush>::with<bool>>;

using update_callbacks = std::vector<std::function<void(const task_update&)>>;

/// A callback that throws fails the run once (the text goes to
/// `failures_to`'s atom::failed, when given; always to stderr); the other
/// callbacks still see every update.
update_listener_actor spawn_update_listener(caf::actor_system& system, std::shared_ptr<update_callbacks> callbacks,
                                            coordinator_actor failures_to);

} // namespace dtf
