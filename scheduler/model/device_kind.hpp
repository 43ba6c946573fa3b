#pragma once
// Kinds of devices a worker can be, and their spelling in user formats.
#include <optional>
#include <string>
#include <string_view>

namespace dtf {

enum class device_kind { cpu, cuda, rocm };

/// "cpu" | "cuda" | "rocm" (also accepts "gpu" is NOT accepted: kinds are explicit).
std::optional<device_kind> parse_device_kind(std::string_view text);
std::string_view to_string(device_kind kind);

inline bool is_gpu(device_kind kind) { return kind != device_kind::cpu; }

} // namespace dtf
