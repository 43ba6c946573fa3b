// Fuzzing what the runtime reads back or from commands (tests/scheduler/input_fuzz.hpp):
// results JSON Lines end in records or one readable input_error; DTF_METRICS
// lines never throw and stay within the per-attempt caps.
#include "actors/execution/captured_stream.hpp"
#include "actors/execution/metrics_line.hpp"
#include "actors/output/results_jsonl_reader.hpp"
#include "tests/scheduler/input_fuzz.hpp"

#include <sstream>

namespace dtf {
namespace {

const std::string results_seed =
    R"({"task":"alpha","worker":"cpu-0","status":"succeeded","exit_code":0,"attempt":1,"start":100,"end":102,"duration_s":2,"predicted_s":null,"metrics":{"tok_s":12.5},"model":"bert","type":"test","batch_size":8})"
    "\n"
    R"({"task":"beta","worker":"cpu-1","status":"failed","exit_code":3,"attempt":2,"start":100,"end":101,"duration_s":1,"predicted_s":1.5,"metrics":{},"error":"exit code 3"})"
    "\n";

const std::string metrics_seed = "DTF_METRICS {\"a\": 1, \"b\": 2.5e3, \"c\": \"x\", \"d\": -1e-3}\n";

TEST(input_fuzz, results_reader_throws_only_input_errors) {
  testing::check_fuzz([] {
    const std::string text = *testing::fuzzed_text({results_seed});
    testing::rc_assert_only_input_errors([&] {
      std::istringstream in(text);
      int line = 0;
      for (std::string record; std::getline(in, record);)
        if (++line, record.find_first_not_of(" \t\r") != std::string::npos) parse_results_json_line(record, "fuzz.jsonl", line);
    });
  });
}

TEST(input_fuzz, metrics_lines_never_throw_and_stay_within_the_caps) {
  testing::check_fuzz([] {
    const std::string text = *testing::fuzzed_text({metrics_seed, metrics_seed + metrics_seed});
    captured_stream stream{{.cap_bytes = 0, .tail_bytes = 0, .scan_metrics = true}};
    try {
      stream.consume(text);
      stream.finish();
    } catch (const std::exception& e) {
      RC_FAIL(std::string{"metrics scanning threw: "} + e.what());
    }
    RC_ASSERT(stream.metrics().size() <= max_metric_keys_per_attempt + 2);
  });
}

} // namespace
} // namespace dtf
