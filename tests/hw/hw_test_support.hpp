#pragma once
// What the hw tests share: where topology files and fake driver libraries
// are, and a temporary directory tree standing in for /proc or /sys.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace dtf::hw::testing {

/// The project's own fixtures (always present).
inline std::string own_fixture(const std::string& name) {
  return std::string{DTF_SOURCE_DIR} + "/tests/fixtures/hwloc/" + name;
}

/// The shared real-machine topologies beside the project, or "" when absent.
inline std::string shared_fixture(const std::string& name) {
  const std::string path = std::string{DTF_SHARED_DIR} + "/fixtures/hwloc/" + name;
  return std::filesystem::is_regular_file(path) ? path : std::string{};
}

/// A stand-in driver library built from tests/hw/fakes/<name>.cpp.
inline std::string fake_library(const std::string& name) {
  return std::string{DTF_FAKE_LIB_DIR} + "/libdtf_" + name + ".so";
}

/// Sets an environment variable for one scope (the fake driver libraries read some).
struct scoped_env {
  scoped_env(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~scoped_env() { unsetenv(name_); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  const char* name_;
};

/// A temporary directory tree (removed on destruction) standing in for /sys or /proc.
struct fake_tree {
  explicit fake_tree(const std::string& tag)
    : root(std::filesystem::path{::testing::TempDir()} / ("dtf-" + tag + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(root);
  }
  ~fake_tree() { std::filesystem::remove_all(root); }
  fake_tree(const fake_tree&) = delete;
  fake_tree& operator=(const fake_tree&) = delete;
  void write(const std::string& relative, const std::string& text) const {
    const auto path = root / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::string path() const { return root.string(); }
  std::filesystem::path root;
};

} // namespace dtf::hw::testing
