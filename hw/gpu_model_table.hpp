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
/// What AMD publishes of an Instinct/Radeon model: the whole device's compute
/// units, its accelerator dies (XCDs: the most compute partitions it splits
/// into, one per XCD in CPX mode) and whether it is an APU (CPU and GPU on one
/// package, sharing its memory). Zero where a model's figure varies.
struct amd_model_facts {
  std::string_view arch;
  int compute_units = 0;
  int xcds = 0;
  bool apu = false;
};
/// "Aqua Vanjaram [Instinct MI300A]" -> {gfx942, 228, 6, apu}; nullopt for models not in the table.
std::optional<amd_model_facts> amd_model_from_name(std::string_view model);
/// "Tesla V100-SXM3-32GB-H" -> 32 GiB: the "<N>GB" a model name states.
std::optional<std::uint64_t> memory_bytes_from_model(std::string_view model);

} // namespace dtf::hw
