#include "actors/execution/cpu_list.hpp"

#include <charconv>

namespace dtf {
namespace {

bool parse_cpu_number(std::string_view text, int& cpu) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cpu);
  return ec == std::errc{} && end == text.data() + text.size() && cpu >= 0 && cpu < CPU_SETSIZE;
}

} // namespace

std::optional<cpu_set_t> parse_cpu_list(std::string_view text) {
  cpu_set_t set;
  CPU_ZERO(&set);
  bool any = false;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    int first = 0, last = 0;
    if (auto dash = item.find('-'); dash != std::string_view::npos) {
      if (!parse_cpu_number(item.substr(0, dash), first) || !parse_cpu_number(item.substr(dash + 1), last) ||
          last < first)
        return std::nullopt;
    } else {
      if (!parse_cpu_number(item, first)) return std::nullopt;
      last = first;
    }
    for (int cpu = first; cpu <= last; ++cpu) CPU_SET(cpu, &set);
    any = true;
  }
  if (!any) return std::nullopt;
  return set;
}

} // namespace dtf
