#pragma once
// No exception escapes an actor silently: every dtf actor installs this
// exception handler. It logs the failure with its context (which actor, what
// message it was handling), hands the text to the actor's owner (the
// coordinator fails the run with it) and ends the actor with the text as the
// exit reason, so links and monitors see the same words.
#include <caf/fwd.hpp>

#include <exception>
#include <functional>
#include <string>

namespace dtf {

/// what() of the exception ("unknown exception" for non-std ones).
std::string exception_text(const std::exception_ptr& error);

/// Installs the handler on `self` (`name` is the actor's state name, e.g.
/// "dtf.scheduler"). On an exception it writes one line to stderr:
///   dtf: internal error: actor dtf.scheduler (id 7) failed while handling (requeue, ...): <what>
/// calls `on_failure` (if set) with the text after "internal error: ", and
/// ends the actor with caf::sec::runtime_error carrying that text.
void report_exceptions(caf::scheduled_actor* self, const char* name,
                       std::function<void(const std::string&)> on_failure = {});

/// The text an actor ended with: the report_exceptions text when it ended
/// that way, else CAF's rendering of the reason.
std::string failure_text(const caf::error& reason, caf::actor_system& system);

} // namespace dtf
