#pragma once
// RapidCheck-driven fuzzing of the input parsers: random bytes, and valid
// documents with a few random mutations (bytes, cuts, and tokens that broke
// parsers before: 1e400, invalid UTF-8, control characters, aliases...). A
// parser may succeed or throw dtf::input_error with a one-line, escaped,
// bounded message; anything else escaping is a failure.
//
// Cases per property: DTF_FUZZ_CASES (default 300, a few seconds in CI);
// e.g. `DTF_FUZZ_CASES=100000 ctest -R fuzz` for a long run.
#include "scheduler/input/input_error.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dtf::testing {

inline int fuzz_cases() {
  const char* text = std::getenv("DTF_FUZZ_CASES");
  const int cases = text ? std::atoi(text) : 0;
  return cases > 0 ? cases : 300;
}

/// Runs a RapidCheck property for fuzz_cases() successes as a GoogleTest.
template <class Property>
void check_fuzz(Property&& property) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = fuzz_cases();
  rc::detail::TestMetadata metadata;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkTestable(std::forward<Property>(property), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream message;
    rc::detail::printResultMessage(result, message);
    FAIL() << message.str();
  }
}

inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string{DTF_SOURCE_DIR} + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Pieces that broke parsers before, or that steer YAML and JSON parsers.
inline const std::vector<std::string>& fuzz_tokens() {
  static const std::vector<std::string> tokens{
      "1e400", "-1e400", "1e-400", "99999999999999999999999", "-0", "NaN", "Infinity", "0x1F", ".inf",
      "\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x1b[31m", std::string("\0", 1), "\x7f",
      "\xc2\x9b", "\\u0000", "\\ud800", "\\x01", "\"", "'", "[", "]", "{", "}", ":", ",", "\n", "\r\n", "\t", "  ",
      "- ", "? ", "&a ", "*a", "<<: *a", "!!binary ", "!x ", "---\n", "...\n", "%YAML 1.2\n", "# ", "|\n", ">-\n",
      "tasks", "matrix", "workers", "include", "exclude", "defaults", "{model}", "{id}", "null", "true", "~"};
  return tokens;
}

/// Random bytes, or one of `seeds` with 1 to 8 mutations.
inline rc::Gen<std::string> fuzzed_text(std::vector<std::string> seeds) {
  return rc::gen::exec([seeds] {
    if (*rc::gen::inRange(0, 8) == 0) return *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
    std::string text = seeds[static_cast<std::size_t>(*rc::gen::inRange<int>(0, static_cast<int>(seeds.size())))];
    const int mutations = *rc::gen::inRange(1, 9);
    for (int m = 0; m < mutations; ++m) {
      const std::size_t at = text.empty() ? 0 : static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, text.size() + 1));
      switch (*rc::gen::inRange(0, 5)) {
        case 0: text.insert(at, fuzz_tokens()[*rc::gen::inRange<std::size_t>(0, fuzz_tokens().size())]); break;
        case 1: text.insert(at, 1, *rc::gen::arbitrary<char>()); break;
        case 2:
          if (at < text.size()) text[at] = *rc::gen::arbitrary<char>();
          break;
        case 3: text.erase(at, *rc::gen::inRange<std::size_t>(1, 40)); break;
        case 4: {  // replace a value after a colon with a token
          const auto colon = text.find(": ", at);
          if (colon != std::string::npos) {
            const auto end = text.find_first_of(",}\n", colon + 2);
            text.replace(colon + 2, (end == std::string::npos ? text.size() : end) - colon - 2,
                         fuzz_tokens()[*rc::gen::inRange<std::size_t>(0, fuzz_tokens().size())]);
          }
          break;
        }
      }
    }
    return text;
  });
}

/// The message of an input_error as users see it: one line, no control
/// characters, valid UTF-8, and bounded however large the input.
inline void rc_assert_readable_message(const dtf::input_error& e) {
  const std::string what = e.what();
  RC_ASSERT(!dtf::invalid_utf8_at(what));
  for (const char c : what) RC_ASSERT(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  RC_ASSERT(what.size() < 4096u);
}

/// `parse()` either returns or throws an input_error with a readable message.
template <class Parse>
void rc_assert_only_input_errors(Parse&& parse) {
  try {
    parse();
  } catch (const dtf::input_error& e) {
    rc_assert_readable_message(e);
  } catch (const std::exception& e) {
    RC_FAIL(std::string{"an exception other than input_error escaped: "} + dtf::message_text(e.what(), 300));
  }
}

} // namespace dtf::testing
