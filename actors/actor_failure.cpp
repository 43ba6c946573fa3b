#include "actors/actor_failure.hpp"

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include <cstdio>
#include <stdexcept>
#include <utility>

namespace dtf {

namespace {

/// Messages carry user input (task ids, commands): cut long ones and keep
/// control characters out of the log line.
std::string printable_excerpt(const std::string& text, std::size_t max_bytes = 240) {
  std::string out;
  for (char c : text.substr(0, max_bytes)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (text.size() > max_bytes) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

} // namespace

std::string exception_text(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
  }
  return "unknown exception";
}

void report_exceptions(caf::scheduled_actor* self, const char* name,
                       std::function<void(const std::string&)> on_failure) {
  self->set_exception_handler(
    [name, on_failure = std::move(on_failure)](caf::scheduled_actor* actor, std::exception_ptr& error) -> caf::error {
      std::string text = "actor " + std::string{name} + " (id " + std::to_string(actor->id()) + ") failed";
      if (auto* element = actor->current_mailbox_element())
        text += " while handling " + printable_excerpt(element->content().stringify());
      text += ": " + printable_excerpt(exception_text(error), 1000);
      std::fprintf(stderr, "dtf: internal error: %s\n", text.c_str());
      std::fflush(stderr);
      if (on_failure) {
        try {
          on_failure(text);
        } catch (...) {
          // Already logged; the exit reason still carries the text.
        }
      }
      return caf::make_error(caf::sec::runtime_error, std::move(text));
    });
}

std::string failure_text(const caf::error& reason, caf::actor_system& system) {
  const auto& context = reason.context();
  if (reason.category() == caf::atom("system") && reason.code() == static_cast<std::uint8_t>(caf::sec::runtime_error) &&
      context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return system.render(reason);
}

} // namespace dtf
