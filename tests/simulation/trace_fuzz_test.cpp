// Fuzzing the trace reader (tests/scheduler/input_fuzz.hpp): any bytes end in
// a trace or one readable input_error.
#include "scheduler/simulation/trace.hpp"
#include "tests/scheduler/input_fuzz.hpp"

#include <sstream>

namespace dtf {
namespace {

const std::string trace_seed =
    R"({"id":"a","arrival":0,"type":"benchmark","model":"bert","batch_size":8,"priority":1,"requirements":{"hardware":["cuda"],"min_memory_gb":4,"labels":"x"},"duration":{"A100":2.5,"cpu":10},"load":1})"
    "\n"
    R"({"id":"b","arrival":1.5,"duration":{"cuda":3}})"
    "\n";

TEST(trace_fuzz, trace_reader_throws_only_input_errors) {
  testing::check_fuzz([] {
    const std::string text = *testing::fuzzed_text({trace_seed});
    testing::rc_assert_only_input_errors([&] {
      std::istringstream in(text);
      parse_trace(in, "fuzz.jsonl");
    });
  });
}

} // namespace
} // namespace dtf
