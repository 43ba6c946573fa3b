#pragma once
// Presenting simulation results: one result as text or JSON, several as a
// table (plain or Markdown), timelines as CSV, the scenario families' benchmark.
#include "apps/dtf/family_bench.hpp"
#include "scheduler/simulation/simulator.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace dtf::app {

nlohmann::ordered_json to_json(const simulation_result& r);
void print_result(std::ostream& out, const simulation_result& r);
/// One row per result; `markdown` gives a GitHub table.
void print_table(std::ostream& out, const std::vector<simulation_result>& results, bool markdown);
/// CSV: policy,task,worker,arrival_s,start_s,end_s,load_s,predicted_s,attempt,cancelled
void write_timeline_csv(std::ostream& out, const std::vector<simulation_result>& results);

/// Runs every named policy on the same input, computing the lower bound once.
std::vector<simulation_result> simulate_policies(const trace& tasks, const std::vector<worker_capability>& fleet,
                                                 const std::vector<std::string>& policies,
                                                 const simulation_options& base, const fleet_dynamics& dynamics = {});

/// The scenario families' benchmark: options, per scenario each policy's
/// summary and every run, and the summary over scenarios.
nlohmann::ordered_json to_json(const family_bench_result& r);
/// Per scenario a table: each policy's geometric means over seeds, and
/// intelligent's wins-losses and ratio against it; then the summary line and the targets.
void print_family_tables(std::ostream& out, const family_bench_result& r, bool markdown);
/// "families: intelligent mean completion / best baseline's ..." (one line).
std::string family_summary_line(const family_bench_result& r);
/// intelligent against the scheduling targets, one row each: the figure, the goal, met or missed.
void print_family_targets(std::ostream& out, const family_bench_result& r, bool markdown);

} // namespace dtf::app
