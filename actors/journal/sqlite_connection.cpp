#include "actors/journal/sqlite_connection.hpp"

#include <sqlite3.h>

#include <cmath>
#include <utility>

namespace dtf::sqlite {

connection::connection(std::filesystem::path file, bool read_only) : file_(std::move(file)) {
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(file_.c_str(), &handle_, flags | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle_ ? sqlite3_errmsg(handle_) : sqlite3_errstr(rc);
    sqlite3_close(handle_);
    handle_ = nullptr;
    if (!read_only) message += " (does the directory exist and is it writable?)";
    throw journal_error(file_, "cannot open: " + message);
  }
  sqlite3_extended_result_codes(handle_, 1);
}

connection::~connection() {
  if (handle_) sqlite3_close_v2(handle_);
}

void connection::fail(int code, std::string_view doing) const {
  std::string message{doing};
  message += ": ";
  message += handle_ ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
  if (const int primary = code & 0xff; primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    message += " (the file is damaged or not a dtf journal; move it away to start a new one)";
  else if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
    message += " (is the file or its directory read-only?)";
  throw journal_error(file_, message);
}

void connection::fail_last(std::string_view doing) const { fail(sqlite3_extended_errcode(handle_), doing); }

void connection::exec(std::string_view sql) {
  const std::string text{sql};
  char* error = nullptr;
  const int rc = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    sqlite3_free(error);
    fail(rc, "executing '" + text.substr(0, 60) + "'");
  }
}

std::int64_t connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_); }
int connection::changes() const { return sqlite3_changes(handle_); }

statement::statement(connection& db, std::string_view sql) : db_(&db) {
  const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &handle_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "preparing '" + std::string{sql.substr(0, 60)} + "'");
}

statement::~statement() {
  if (handle_) sqlite3_finalize(handle_);
}

statement::statement(statement&& other) noexcept
  : db_(std::exchange(other.db_, nullptr)), handle_(std::exchange(other.handle_, nullptr)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    if (handle_) sqlite3_finalize(handle_);
    db_ = std::exchange(other.db_, nullptr);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

statement& statement::bind(int index, std::int64_t value) {
  if (const int rc = sqlite3_bind_int64(handle_, index, value); rc != SQLITE_OK) db_->fail(rc, "binding a value");
  return *this;
}

statement& statement::bind(int index, double value) {
  if (!std::isfinite(value)) return bind_null(index);
  if (const int rc = sqlite3_bind_double(handle_, index, value); rc != SQLITE_OK) db_->fail(rc, "binding a value");
  return *this;
}

statement& statement::bind(int index, std::optional<double> value) {
  return value ? bind(index, *value) : bind_null(index);
}

statement& statement::bind(int index, std::string_view value) {
  const int rc = sqlite3_bind_text64(handle_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
  return *this;
}

statement& statement::bind_null(int index) {
  if (const int rc = sqlite3_bind_null(handle_, index); rc != SQLITE_OK) db_->fail(rc, "binding a value");
  return *this;
}

bool statement::step() {
  const int rc = sqlite3_step(handle_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(handle_) ? sqlite3_sql(handle_) : "";
  sqlite3_reset(handle_);
  db_->fail(rc, "running '" + sql.substr(0, 60) + "'");
}

void statement::run() {
  while (step()) {
  }
  reset();
}

void statement::reset() {
  sqlite3_reset(handle_);
  sqlite3_clear_bindings(handle_);
}

std::int64_t statement::column_int(int index) const { return sqlite3_column_int64(handle_, index); }
double statement::column_double(int index) const { return sqlite3_column_double(handle_, index); }
bool statement::column_is_null(int index) const { return sqlite3_column_type(handle_, index) == SQLITE_NULL; }

std::optional<double> statement::column_optional_double(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_double(index);
}

std::string statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(handle_, index);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(handle_, index)));
}

} // namespace dtf::sqlite
