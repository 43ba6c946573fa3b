#pragma once
// Fleet files (YAML or JSON): emulated workers for machines without the
// hardware (demos, tests, simulation).
//
//   workers:
//     - {id: worker-cuda-1, kind: cuda, name: "NVIDIA GeForce RTX 3080", memory_gb: 10,
//        compute_capability: 8.6, cores: 68, speed: 1.0, slots: 2, count: 1}
//
// `count: n` (n > 1) expands to ids id-1 .. id-n. compute_capability on a
// non-cuda worker and arch on a non-rocm worker are errors (they would be
// silently ignored by the filters otherwise). Errors are dtf::input_error.
#include "scheduler/input/input_document.hpp"
#include "scheduler/model/worker.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dtf {

/// Workers in file order (registration order), all with emulated = true.
std::vector<worker_capability> parse_fleet_file(const std::filesystem::path& path);
std::vector<worker_capability> parse_fleet_text(std::string_view text, const std::string& file_name, input_format format);

} // namespace dtf
