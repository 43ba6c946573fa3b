#include "actors/output/written_file.hpp"

#include <iostream>

namespace dtf {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw write_error("cannot write " + what + " '" + path.string() + "'");
}

} // namespace

std::ofstream open_for_writing(const std::filesystem::path& path, const std::string& what, std::ios::openmode mode) {
  std::ofstream out{path, mode | std::ios::out};
  if (!out) fail(path, what);
  return out;
}

void check_written(std::ostream& out, const std::filesystem::path& path, const std::string& what) {
  out.flush();
  if (!out) fail(path, what);
}

bool stdout_written() {
  std::cout.flush();
  return static_cast<bool>(std::cout);
}

} // namespace dtf
