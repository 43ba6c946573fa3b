#pragma once
// Files (and stdout) that dtf writes as a command's product are checked: a
// path that cannot be opened, a full disk or a closed pipe ends the command
// with one line naming what was not written, and exit 1 -- never a silent
// exit 0 with a truncated or empty file.
#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <string>

namespace dtf {

/// What dtf was asked to write did not take the bytes; the message is one line,
/// "cannot write WHAT 'PATH'".
class write_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Opens `path` for writing (truncated); throws write_error when it cannot.
/// `what` names the product in the message ("HTML report", "trace").
std::ofstream open_for_writing(const std::filesystem::path& path, const std::string& what,
                               std::ios::openmode mode = std::ios::out | std::ios::trunc);

/// Flushes `out` (the file at `path`) and throws write_error when any write to it failed.
void check_written(std::ostream& out, const std::filesystem::path& path, const std::string& what);

/// Flushes std::cout; false when anything written to stdout was lost.
bool stdout_written();

} // namespace dtf
