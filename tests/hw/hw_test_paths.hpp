#pragma once
// Where the hw tests find topology files.
#include <filesystem>
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

} // namespace dtf::hw::testing
