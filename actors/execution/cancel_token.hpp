#pragma once
// A one-way cancellation flag shared between the thread that runs an attempt
// and whoever wants it stopped. Waiters wake at once when it fires.
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace dtf {

class cancel_token {
public:
  cancel_token() = default;
  cancel_token(const cancel_token&) = delete;
  cancel_token& operator=(const cancel_token&) = delete;

  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  /// Sleeps up to seconds; returns true as soon as the token is cancelled.
  bool wait_for(double seconds) const;

private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cancelled_cv_;
};

} // namespace dtf
