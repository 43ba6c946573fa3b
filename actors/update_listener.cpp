#include "actors/update_listener.hpp"

#include "actors/actor_failure.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <utility>

namespace dtf {

namespace {

struct update_listener_state {
  static inline const char* name = "dtf.update_listener";
  std::shared_ptr<update_callbacks> callbacks;
  coordinator_actor failures_to;
  bool failed = false;
};

update_listener_actor::behavior_type update_listener(update_listener_actor::stateful_pointer<update_listener_state> self,
                                                     std::shared_ptr<update_callbacks> callbacks,
                                                     coordinator_actor failures_to) {
  self->state.callbacks = std::move(callbacks);
  self->state.failures_to = std::move(failures_to);
  report_exceptions(self, update_listener_state::name, [self](const std::string& why) {
    if (self->state.failures_to) self->send(self->state.failures_to, atom::failed_v, why);
  });
  return {
    [self](atom::event, const std::vector<task_update>& updates) {
      auto& st = self->state;
      for (const auto& u : updates)
        for (auto& cb : *st.callbacks) {
          // A callback that throws (an output file that cannot be written)
          // fails the run, once; the other callbacks still see every update,
          // so the JUnit file and the summary say what happened.
          try {
            cb(u);
          } catch (...) {
            if (st.failed) continue;
            st.failed = true;
            auto why = "task update callback failed on task '" + u.task_id +
                       "': " + exception_text(std::current_exception());
            std::fprintf(stderr, "dtf: %s\n", why.c_str());
            if (st.failures_to) self->send(st.failures_to, atom::failed_v, why);
          }
        }
    },
    [](atom::flush) { return true; },
  };
}

} // namespace

update_listener_actor spawn_update_listener(caf::actor_system& system, std::shared_ptr<update_callbacks> callbacks,
                                            coordinator_actor failures_to) {
  return system.spawn(update_listener, std::move(callbacks), std::move(failures_to));
}

} // namespace dtf
