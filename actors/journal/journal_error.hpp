#pragma once
// Errors of the journal: they always name the journal file, so "file is not a
// database" or "unable to open database file" says which file and why.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace dtf {

class journal_error : public std::runtime_error {
public:
  journal_error(const std::filesystem::path& file, const std::string& message)
    : std::runtime_error("journal '" + file.string() + "': " + message), file_(file) {}
  const std::filesystem::path& file() const { return file_; }

private:
  std::filesystem::path file_;
};

/// A journal written by an older dtf, opened read-only: it must be opened
/// read-write once to migrate (a reader may do that, then read).
class journal_needs_migration : public journal_error {
public:
  using journal_error::journal_error;
};

} // namespace dtf
