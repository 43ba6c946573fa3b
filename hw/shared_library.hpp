#pragma once
// A shared object opened with dlopen at run time, so that dtf builds and runs
// where no GPU driver is installed. Symbols are looked up by name and cast to
// function pointer types the probes declare themselves (no vendor headers).
#include <string>

namespace dtf::hw {

class shared_library {
public:
  /// Opens `name` (searched like dlopen does). An absent library is not an
  /// error: is_open() is false and error() says why dlopen refused.
  explicit shared_library(const std::string& name);
  shared_library(shared_library&& other) noexcept;
  shared_library& operator=(shared_library&&) = delete;
  shared_library(const shared_library&) = delete;
  shared_library& operator=(const shared_library&) = delete;
  ~shared_library();

  bool is_open() const { return handle_ != nullptr; }
  /// Not installed at all, as opposed to present but unloadable (wrong
  /// architecture, a missing dependency): only the latter is worth a warning.
  bool is_absent() const;
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }

  /// The function `symbol`, or nullptr when the library lacks it.
  template <class Function>
  Function function(const char* symbol) const {
    return reinterpret_cast<Function>(address(symbol));
  }

private:
  void* address(const char* symbol) const;
  std::string name_;
  std::string error_;
  void* handle_ = nullptr;
};


} // namespace dtf::hw
