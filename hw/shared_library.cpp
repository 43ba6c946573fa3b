#include "hw/shared_library.hpp"

#include <dlfcn.h>

namespace dtf::hw {

shared_library::shared_library(const std::string& name) : name_(name) {
  // RTLD_LOCAL: the drivers' symbols stay out of the global namespace.
  // RTLD_NODELETE: an initialised driver may run threads of its own, so its
  // code must stay mapped after dlclose (reopening then finds it loaded).
  handle_ = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle_) {
    const char* why = dlerror();
    error_ = why ? why : "dlopen failed";
  }
}

shared_library::shared_library(shared_library&& other) noexcept
  : name_(std::move(other.name_)), error_(std::move(other.error_)), handle_(other.handle_) {
  other.handle_ = nullptr;
}

shared_library::~shared_library() {
  if (handle_) dlclose(handle_);
}

void* shared_library::address(const char* symbol) const {
  return handle_ ? dlsym(handle_, symbol) : nullptr;
}

bool shared_library::is_absent() const {
  // glibc: "<name>: cannot open shared object file: No such file or directory";
  // a missing dependency names the dependency instead.
  return !handle_ && error_.rfind(name_ + ": cannot open shared object file", 0) == 0;
}

} // namespace dtf::hw
