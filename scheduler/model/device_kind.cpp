#include "scheduler/model/device_kind.hpp"

namespace dtf {

std::optional<device_kind> parse_device_kind(std::string_view text) {
  if (text == "cpu") return device_kind::cpu;
  if (text == "cuda") return device_kind::cuda;
  if (text == "rocm") return device_kind::rocm;
  return std::nullopt;
}

std::string_view to_string(device_kind kind) {
  switch (kind) {
    case device_kind::cpu: return "cpu";
    case device_kind::cuda: return "cuda";
    case device_kind::rocm: return "rocm";
  }
  return "cpu";
}

} // namespace dtf
