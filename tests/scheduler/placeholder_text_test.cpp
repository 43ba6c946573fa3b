// Placeholders: {identifier} is replaced, every other brace is literal, and
// the doubled braces of earlier suites keep meaning one brace.
#include "scheduler/input/placeholder_text.hpp"

#include <gtest/gtest.h>

namespace dtf {
namespace {

const std::map<std::string, std::string> values{{"model", "bert"}, {"batch_size", "8"}, {"gpu-kind", "a100"}};

std::string fill(std::string_view text) { return substitute_placeholders(text, values); }

TEST(placeholder_text, an_identifier_in_braces_is_replaced) {
  EXPECT_EQ(fill("run {model} -b {batch_size} on {gpu-kind}"), "run bert -b 8 on a100");
}

TEST(placeholder_text, json_is_written_as_it_is) {
  EXPECT_EQ(fill(R"(echo "DTF_METRICS {\"sort_ms\": 1}")"), R"(echo "DTF_METRICS {\"sort_ms\": 1}")");
  EXPECT_EQ(fill(R"({"a": {"b": [1, {"c": 2}]}})"), R"({"a": {"b": [1, {"c": 2}]}})");
  EXPECT_EQ(fill(R"({"model": "{model}", "n": {batch_size}})"), R"({"model": "bert", "n": 8})");
}

TEST(placeholder_text, awk_programs_and_regex_counts_are_written_as_they_are) {
  EXPECT_EQ(fill("awk '{ s += $1 } END { print s }'"), "awk '{ s += $1 } END { print s }'");
  EXPECT_EQ(fill("awk -F, 'NR > 1 {s += $1}'"), "awk -F, 'NR > 1 {s += $1}'");
  EXPECT_EQ(fill("grep -E 'a{2,3}b{1}'"), "grep -E 'a{2,3}b{1}'");
  EXPECT_EQ(fill("${#list[@]} {} } {"), "${#list[@]} {} } {");
}

TEST(placeholder_text, doubled_braces_keep_meaning_one_brace) {
  EXPECT_EQ(fill(R"(DTF_METRICS {{"sort_ms": 1}})"), R"(DTF_METRICS {"sort_ms": 1})");
  EXPECT_EQ(fill("awk 'NR > 1 {{ s += $1 }} END {{ exit s }}'"), "awk 'NR > 1 { s += $1 } END { exit s }'");
  EXPECT_EQ(fill("${{HOME}} {{model}} a}}b {{{model}}}"), "${HOME} {model} a}b {bert}");
  EXPECT_EQ(fill(R"({{"a": {{"b": 1}}}})"), R"({"a": {"b": 1}})");
}

TEST(placeholder_text, unknown_identifier_names_the_closest_known_one) {
  try {
    fill("run {modle}");
    FAIL() << "no error";
  } catch (const placeholder_error& e) {
    EXPECT_STREQ(e.what(), "placeholder {modle} has no value (did you mean {model}?); a literal {modle} is written "
                           "{{modle}}");
  }
  EXPECT_THROW(fill("awk '{print}'"), placeholder_error);
  EXPECT_THROW(fill("echo ${HOME}"), placeholder_error);
}

TEST(placeholder_text, placeholder_names_start_with_a_letter_or_underscore) {
  EXPECT_TRUE(is_placeholder_name("model"));
  EXPECT_TRUE(is_placeholder_name("_x.y-2"));
  EXPECT_FALSE(is_placeholder_name("2x"));
  EXPECT_FALSE(is_placeholder_name("a b"));
  EXPECT_FALSE(is_placeholder_name(""));
  EXPECT_FALSE(is_placeholder_name("\"a\""));
}

} // namespace
} // namespace dtf
