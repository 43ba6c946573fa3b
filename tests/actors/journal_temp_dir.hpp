#pragma once
// A fresh directory per test for real journal files, removed afterwards.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace dtf::testing {

class journal_temp_dir {
public:
  journal_temp_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("dtf-journal-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~journal_temp_dir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  journal_temp_dir(const journal_temp_dir&) = delete;
  journal_temp_dir& operator=(const journal_temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
  std::filesystem::path path_;
};

} // namespace dtf::testing
