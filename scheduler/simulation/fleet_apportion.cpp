#include "scheduler/simulation/fleet_apportion.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace dtf {

std::vector<std::size_t> apportion_workers(std::span<const double> shares, std::size_t workers) {
  double share_sum = 0;
  for (double s : shares) share_sum += s;
  std::vector<std::size_t> counts(shares.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::size_t given = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const double exact = static_cast<double>(workers) * shares[i] / share_sum;
    counts[i] = static_cast<std::size_t>(exact);
    if (counts[i] == 0 && workers >= shares.size()) counts[i] = 1;
    given += counts[i];
    remainders.emplace_back(-(exact - std::floor(exact)), i);
  }
  std::sort(remainders.begin(), remainders.end());
  for (std::size_t r = 0; given < workers; r = (r + 1) % remainders.size(), ++given) ++counts[remainders[r].second];
  return counts;
}

} // namespace dtf
