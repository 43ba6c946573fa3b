#include "scheduler/input/input_limits.hpp"

#include <fstream>

namespace dtf {

std::string read_input_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path.string(), 0, "", "cannot read file (missing or not readable)");
  // Read in pieces up to the cap: a FIFO or /dev/zero has no size to ask for first.
  std::string text;
  char piece[1 << 16];
  while (in.read(piece, sizeof piece) || in.gcount() > 0) {
    const auto n = static_cast<std::size_t>(in.gcount());
    if (text.size() + n > max_bytes) throw file_too_large(path.string(), max_bytes);
    text.append(piece, n);
  }
  if (in.bad()) throw input_error(path.string(), 0, "", "cannot read file");
  return text;
}

} // namespace dtf
