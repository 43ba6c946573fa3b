#pragma once
// A thin RAII layer over the sqlite3 C API: one connection, prepared
// statements that are reset for reuse, and every failure turned into a
// journal_error naming the file and what was being done.
#include "actors/journal/journal_error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace dtf::sqlite {

class connection;

class statement {
public:
  statement() = default;
  statement(connection& db, std::string_view sql);
  ~statement();
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // Parameters are 1-based, as in SQL.
  statement& bind(int index, std::int64_t value);
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  /// Non-finite doubles are stored as NULL.
  statement& bind(int index, double value);
  statement& bind(int index, std::optional<double> value);
  statement& bind(int index, std::string_view value);
  statement& bind_null(int index);

  /// Runs one step: true when a row is available, false when done.
  bool step();
  /// Runs to completion (for writes), then resets for reuse.
  void run();
  /// Ready for reuse with new bindings.
  void reset();

  // Columns are 0-based, as in the C API.
  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::optional<double> column_optional_double(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

private:
  connection* db_ = nullptr;
  sqlite3_stmt* handle_ = nullptr;
};

class connection {
public:
  /// Opens (read_only = false: creates) the file. Throws journal_error.
  connection(std::filesystem::path file, bool read_only);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Runs SQL without results (several statements allowed).
  void exec(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;

  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() const { return handle_; }
  /// Throws journal_error: "<doing>: <sqlite message> (<code name>)".
  [[noreturn]] void fail(int code, std::string_view doing) const;
  /// fail() with the connection's last error code.
  [[noreturn]] void fail_last(std::string_view doing) const;

private:
  std::filesystem::path file_;
  sqlite3* handle_ = nullptr;
};

} // namespace dtf::sqlite
