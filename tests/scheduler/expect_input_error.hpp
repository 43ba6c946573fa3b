#pragma once
// Shared expectation for parser error tests: the parse must throw an
// input_error whose one-line message names the file, the line and the field.
#include "scheduler/input/input_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dtf::testing {

template <class Parse>
void expect_input_error_from(Parse&& parse, const std::string& file, int line, const std::string& field,
                             const std::string& fragment) {
  try {
    parse();
    ADD_FAILURE() << "expected an input_error containing '" << fragment << "'";
  } catch (const dtf::input_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), file) << what;
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(e.field(), field) << what;
    EXPECT_NE(what.find(file + ":" + std::to_string(line) + ":"), std::string::npos) << what;
    if (!field.empty()) {
      EXPECT_NE(what.find("field '" + field + "'"), std::string::npos) << what;
    }
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
}

} // namespace dtf::testing
