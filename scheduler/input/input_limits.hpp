#pragma once
// Caps on what dtf reads from users (README: "Input limits"): any bytes at all
// end in one clear error, never in a run out of memory or time.
#include "scheduler/input/input_error.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace dtf {

/// Largest input file read (suites, fleets, traces, results), in bytes.
inline constexpr std::size_t default_max_input_bytes = std::size_t{64} << 20;
/// Most tasks a suite may expand to unless told otherwise (dtf plan/run --max-tasks).
inline constexpr std::size_t default_max_suite_tasks = 1'000'000;
/// Text (ids, commands, env, requirement lists) all tasks of a suite may hold
/// together after expansion, counting sizeof(std::string) per string.
inline constexpr std::size_t max_suite_task_bytes = std::size_t{512} << 20;
/// Most workers a fleet file may describe (after `count`).
inline constexpr std::size_t max_fleet_workers = 100'000;
/// A fleet worker's `speed` (times the reference): run times divide by it.
inline constexpr double min_worker_speed = 1e-3;
inline constexpr double max_worker_speed = 1e3;
/// Longest time any file may state as a run time, prediction or trace time
/// (about 32 years; real run times, Philly's included, stay below months).
inline constexpr double max_run_seconds = 1e9;
/// Latest Unix time any file may state (the year 5138).
inline constexpr double max_unix_seconds = 1e11;
/// Wall seconds per modeled second on emulated workers (dtf run, node, demo).
inline constexpr double max_time_scale = 1e6;
/// Longest interval between live metrics samples, in seconds (dtf run, node).
inline constexpr double max_metrics_interval_s = 86400;
/// Most tasks a generated trace or benchmark scenario may have (--tasks).
inline constexpr std::size_t max_generated_tasks = 1'000'000;
/// Most seeds one benchmark run may cover (--seeds).
inline constexpr std::size_t max_bench_seeds = 1'000;
/// Matrix include/exclude entries are each compared with every combination:
/// entries x combinations may not exceed this.
inline constexpr std::size_t max_matrix_rule_comparisons = 100'000'000;
/// Longest word that gets a "did you mean" suggestion, in bytes (edit distance
/// costs length x length).
inline constexpr std::size_t max_suggestion_bytes = 64;

/// "the file is larger than the input limit of N bytes (M MiB)".
inline input_error file_too_large(const std::string& file, std::size_t max_bytes) {
  return input_error(file, 0, "", "the file is larger than the input limit of " + std::to_string(max_bytes) +
                                      " bytes (" + std::to_string(max_bytes >> 20) + " MiB)");
}

/// Whole file as text, read in pieces up to max_bytes (so a FIFO or /dev/zero
/// ends too); throws input_error(file, 0, "", "cannot read ...") and, past
/// max_bytes, the error of file_too_large.
std::string read_input_file(const std::filesystem::path& path, std::size_t max_bytes = default_max_input_bytes);

} // namespace dtf
