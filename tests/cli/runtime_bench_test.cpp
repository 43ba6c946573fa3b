// `dtf bench runtime`, run as the real binary (DTF_BINARY), small: it prints
// one line per figure and repeat, with the runs it measured ending as they
// should (its figures are times and sizes: never checked here).
#include "run_dtf.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using dtf::testing::run_dtf;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(bench_runtime, prints_spawning_memory_and_scaling_figures_for_each_repeat) {
  const auto r = run_dtf({"bench", "runtime", "--commands", "20", "--queued", "300", "--emulated", "30", "--repeat", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.out, "spawning "), 2u) << r.out;
  EXPECT_EQ(count(r.out, "(2 slots, journal, results, junit; exit 0)"), 2u) << "every `true` task succeeded\n" << r.out;
  EXPECT_EQ(count(r.out, " % of fork+exec, "), 2u) << "dtf run against each plain loop\n" << r.out;
  EXPECT_EQ(count(r.out, "memory "), 2u) << r.out;
  EXPECT_EQ(count(r.out, "300 queued tasks: "), 2u) << r.out;
  EXPECT_EQ(count(r.out, "scaling "), 2u) << r.out;
  EXPECT_EQ(count(r.out, "30 -> 300 emulated tasks"), 2u) << r.out;
  EXPECT_EQ(r.out.find(" -1 "), std::string::npos) << "a measured run ended early\n" << r.out;
}

TEST(bench_runtime, takes_only_its_parts_and_rejects_unknown_options) {
  const auto r = run_dtf({"bench", "runtime", "--parts", "scaling", "--emulated", "10", "--repeat", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("spawning "), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "scaling 1: 10 -> 100 emulated tasks"), 1u) << r.out;
  EXPECT_EQ(run_dtf({"bench", "runtime", "--no-such-option"}).exit_code, 2);
}

} // namespace
