// DTF_METRICS lines, as the runner reads them from a command's stdout.
#include "actors/execution/metrics_line.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace dtf {
namespace {

TEST(metrics_line, reads_finite_numbers_from_a_json_object) {
  std::map<std::string, double> metrics;
  EXPECT_TRUE(parse_metrics_line("DTF_METRICS {\"a\": 1, \"b\": 2.5, \"c\": \"text\", \"d\": [1]}\r", metrics));
  EXPECT_EQ(metrics, (std::map<std::string, double>{{"a", 1.0}, {"b", 2.5}}));
}

TEST(metrics_line, ignores_other_lines_and_invalid_json) {
  std::map<std::string, double> metrics;
  EXPECT_FALSE(parse_metrics_line("hello", metrics));
  EXPECT_FALSE(parse_metrics_line("DTF_METRICSX {\"a\": 1}", metrics));
  EXPECT_FALSE(parse_metrics_line("DTF_METRICS {\"a\": ", metrics));
  EXPECT_FALSE(parse_metrics_line("DTF_METRICS 42", metrics));
  EXPECT_TRUE(metrics.empty());
}

TEST(metrics_line, drops_non_finite_values) {
  std::map<std::string, double> metrics;
  EXPECT_TRUE(parse_metrics_line("  DTF_METRICS {\"big\": 1e400, \"ok\": -1}", metrics));
  EXPECT_EQ(metrics, (std::map<std::string, double>{{"ok", -1.0}}));
}

TEST(metrics_line, drops_python_style_nan_and_infinity_but_keeps_the_rest) {
  std::map<std::string, double> metrics;
  EXPECT_TRUE(parse_metrics_line(
      "DTF_METRICS {\"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"NaN key\": 2, \"s\": \"x\\\" NaN\", \"t\": 1e-3}",
      metrics));
  EXPECT_EQ(metrics, (std::map<std::string, double>{{"NaN key", 2.0}, {"t", 0.001}}));
}

RC_GTEST_PROP(metrics_line, never_throws_on_arbitrary_text, (std::string tail)) {
  std::map<std::string, double> metrics;
  parse_metrics_line("DTF_METRICS " + tail, metrics);
  for (const auto& [key, value] : metrics) RC_ASSERT(std::isfinite(value));
}

} // namespace
} // namespace dtf
