#pragma once
// Edits a journal file with the sqlite3 C API, as another program would.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace dtf::testing {

inline void edit_journal(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

} // namespace dtf::testing
