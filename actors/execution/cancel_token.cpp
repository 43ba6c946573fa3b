#include "actors/execution/cancel_token.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace dtf {

void cancel_token::cancel() {
  {
    std::lock_guard lock{mutex_};
    cancelled_.store(true, std::memory_order_release);
  }
  cancelled_cv_.notify_all();
}

bool cancel_token::wait_for(double seconds) const {
  if (std::isnan(seconds) || seconds <= 0) return cancelled();
  seconds = std::min(seconds, 1e7);  // keeps the deadline representable
  std::unique_lock lock{mutex_};
  return cancelled_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return cancelled(); });
}

} // namespace dtf
