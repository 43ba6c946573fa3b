#pragma once
// What a GPU's model name tells when the source has nothing better: hwloc XML
// records carry no CUDA compute capability nor ROCm gfx arch, and NVML-only
// records carry no memory size. Values are the vendors' published ones.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dtf::hw {

/// "Tesla V100-SXM2-32GB" -> 7.0; nullopt for models not in the table.
std::optional<double> compute_capability_from_model(std::string_view model);
/// "AMD Instinct MI210" -> "gfx90a"; empty for models not in the table.
std::string gfx_arch_from_model(std::string_view model);
/// "Tesla V100-SXM3-32GB-H" -> 32 GiB: the "<N>GB" a model name states.
std::optional<std::uint64_t> memory_bytes_from_model(std::string_view model);

} // namespace dtf::hw
