#pragma once
// What a GPU driver probe returns: the GPUs it saw and, when its library is
// present but fails, one line saying so. An absent library gives neither.
#include "scheduler/model/worker.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace dtf::hw {

struct gpu_probe_result {
  std::vector<worker_capability> gpus;  // ids unassigned, locality not yet attached
  std::optional<std::string> warning;
};

/// The first result of a batch of driver calls that is not `success` (CUDA
/// and HIP both return 0 for success), or nullopt when all succeeded.
inline std::optional<int> first_failure(std::initializer_list<int> results, int success = 0) {
  for (int rc : results)
    if (rc != success) return rc;
  return std::nullopt;
}

} // namespace dtf::hw
