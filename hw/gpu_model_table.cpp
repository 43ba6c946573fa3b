#include "hw/gpu_model_table.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace dtf::hw {
namespace {

// Most specific first: "A100" must win over "A10", "L40" over "L4".
constexpr std::array<std::pair<std::string_view, double>, 24> cuda_models{{
    {"B200", 10.0},  {"B100", 10.0},     {"GH200", 9.0},   {"H200", 9.0},     {"H100", 9.0},
    {"H800", 9.0},   {"L40", 8.9},       {"L4", 8.9},      {"RTX 40", 8.9},   {"A100", 8.0},
    {"A800", 8.0},   {"A30", 8.0},       {"A40", 8.6},     {"A10", 8.6},      {"RTX 30", 8.6},
    {"T4", 7.5},     {"RTX 20", 7.5},    {"V100", 7.0},    {"TITAN V", 7.0},  {"P100", 6.0},
    {"P40", 6.1},    {"K80", 3.7},       {"K40", 3.5},     {"K20", 3.5},
}};

// Most specific first ("MI300A" before "MI300", "MI250X" before "MI250").
// Compute units per device as the OS sees it: an MI250X shows as two devices
// (one per die) of 110 CUs each.
constexpr std::array<std::pair<std::string_view, amd_model_facts>, 14> rocm_models{{
    {"MI300A", {"gfx942", 228, 6, true}},  {"MI300X", {"gfx942", 304, 8, false}},
    {"MI325X", {"gfx942", 304, 8, false}}, {"MI300", {"gfx942", 0, 0, false}},
    {"MI250X", {"gfx90a", 110, 1, false}}, {"MI250", {"gfx90a", 104, 1, false}},
    {"MI210", {"gfx90a", 104, 1, false}},  {"MI100", {"gfx908", 120, 1, false}},
    {"MI60", {"gfx906", 64, 1, false}},    {"MI50", {"gfx906", 60, 1, false}},
    {"Radeon VII", {"gfx906", 60, 1, false}}, {"MI25", {"gfx900", 64, 1, false}},
    {"RX 7900", {"gfx1100", 0, 1, false}}, {"RX 6900", {"gfx1030", 80, 1, false}},
}};

} // namespace

std::optional<double> compute_capability_from_model(std::string_view model) {
  for (const auto& [key, cc] : cuda_models)
    if (model.find(key) != std::string_view::npos) return cc;
  return std::nullopt;
}

std::optional<amd_model_facts> amd_model_from_name(std::string_view model) {
  for (const auto& [key, facts] : rocm_models)
    if (model.find(key) != std::string_view::npos) return facts;
  return std::nullopt;
}

std::string gfx_arch_from_model(std::string_view model) {
  const auto facts = amd_model_from_name(model);
  return facts ? std::string{facts->arch} : std::string{};
}

std::optional<std::uint64_t> memory_bytes_from_model(std::string_view model) {
  for (std::size_t at = model.find("GB"); at != std::string_view::npos; at = model.find("GB", at + 2)) {
    std::size_t start = at;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(model[start - 1]))) --start;
    if (start == at) continue;
    std::uint64_t gib = 0;
    for (std::size_t i = start; i < at; ++i) gib = gib * 10 + static_cast<std::uint64_t>(model[i] - '0');
    if (gib > 0 && gib < 100000) return gib << 30;
  }
  return std::nullopt;
}

} // namespace dtf::hw
