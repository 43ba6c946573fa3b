#include "scheduler/filters/requirement_filter.hpp"

#include <cctype>

namespace dtf {

namespace {
// "gfx90a:sramecc+:xnack-" -> "gfx90a", compared case-insensitively.
bool same_arch(std::string_view worker_arch, std::string_view wanted) {
  worker_arch = worker_arch.substr(0, worker_arch.find(':'));
  if (worker_arch.size() != wanted.size()) return false;
  for (std::size_t i = 0; i < wanted.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(worker_arch[i])) !=
        std::tolower(static_cast<unsigned char>(wanted[i])))
      return false;
  return true;
}
} // namespace

filter_verdict check_gfx_arch(const task_requirements& req, const worker_capability& worker) {
  if (req.gfx_arch.empty() || worker.kind != device_kind::rocm) return std::nullopt;
  for (const auto& wanted : req.gfx_arch)
    if (same_arch(worker.arch, wanted)) return std::nullopt;
  return "gfx arch " + (worker.arch.empty() ? std::string{"unknown"} : worker.arch) + " not in " +
         bracket_list(req.gfx_arch);
}

} // namespace dtf
