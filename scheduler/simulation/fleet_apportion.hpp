#pragma once
// How many workers of each device type a generated fleet gets.
#include <cstddef>
#include <span>
#include <vector>

namespace dtf {

/// Largest-remainder apportionment of `workers` over `shares` (any positive
/// scale); every share gets at least one when there are enough workers.
std::vector<std::size_t> apportion_workers(std::span<const double> shares, std::size_t workers);

} // namespace dtf
