#pragma once
// A task's variant: what its id says beyond its model, type and batch size
// -- the dataset of an evaluation, the test of a suite (a suite writes the
// other matrix values into the ids it generates). One model's run times can
// differ by variant more than by device (an MMLU evaluation runs 10x an ARC
// one), so the predictor learns each variant's own times and answers from
// them first, from the model's beneath (execution_predictor). Digit runs are
// left out -- shard numbers, run counters, a batch size written into the id
// -- so the repeats of one test are one variant; an id of digits alone (or
// none) names no variant.
#include <string>
#include <string_view>

namespace dtf {

/// "model|id with each run of digits written as #", or "" when the id has
/// nothing but digits (nothing to tell its variant from its model's).
std::string task_variant(std::string_view model, std::string_view id);

} // namespace dtf
