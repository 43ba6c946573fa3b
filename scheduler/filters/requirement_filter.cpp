#include "scheduler/filters/requirement_filter.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace dtf {

std::span<const requirement_filter> requirement_filters() {
  // Cheap checks first: most rejections come from the kind and memory.
  static const std::array<requirement_filter, 7> filters = {{
      {"device_kind", &check_device_kind},
      {"memory", &check_memory},
      {"compute_capability", &check_compute_capability},
      {"gfx_arch", &check_gfx_arch},
      {"require_device", &check_require_device},
      {"labels", &check_labels},
      {"min_cores", &check_min_cores},
  }};
  return filters;
}

filter_verdict first_rejection(const task_requirements& req, const worker_capability& worker) {
  for (const auto& filter : requirement_filters())
    if (auto reason = filter.check(req, worker)) return reason;
  return std::nullopt;
}

filter_verdict check_free_slot(int running, int slots) {
  if (running < slots) return std::nullopt;
  return "no free slot (" + std::to_string(running) + "/" + std::to_string(slots) + " running)";
}

bool contains_case_insensitive(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (std::size_t start = 0; start + needle.size() <= haystack.size(); ++start) {
    std::size_t i = 0;
    while (i < needle.size() &&
           std::tolower(static_cast<unsigned char>(haystack[start + i])) ==
               std::tolower(static_cast<unsigned char>(needle[i])))
      ++i;
    if (i == needle.size()) return true;
  }
  return false;
}

std::string bracket_list(std::span<const std::string> items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "]";
}

std::string format_one_decimal(double value) {
  if (!std::isfinite(value)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

} // namespace dtf
