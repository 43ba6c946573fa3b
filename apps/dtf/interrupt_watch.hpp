#pragma once
// Ctrl-C and SIGTERM for the commands that run tasks (`dtf run`, `dtf demo`).
// Construct it before any thread starts: SIGINT and SIGTERM are blocked in
// the constructing thread (so in every thread started after it) and taken by
// a watcher thread with sigtimedwait. The first signal calls the handler (the
// command stops its run gracefully: cancel, record, write outputs); a second
// one kills every running command's process tree at once and exits with
// 128 + signal. Commands start with an empty signal mask (command_runner).
#include <atomic>
#include <csignal>
#include <functional>
#include <mutex>
#include <thread>

namespace dtf::app {

class interrupt_watch {
public:
  interrupt_watch();
  /// Stops the watcher and restores the signal mask.
  ~interrupt_watch();
  interrupt_watch(const interrupt_watch&) = delete;
  interrupt_watch& operator=(const interrupt_watch&) = delete;

  /// Called (on the watcher thread) with the first signal's name ("SIGINT");
  /// at once if the signal came before the handler was set.
  void on_interrupt(std::function<void(const char* signal_name)> handler);
  /// The first signal received, 0 if none.
  int signal() const { return signal_.load(); }
  /// The exit code for an interrupted run: 128 + signal (130 SIGINT, 143 SIGTERM).
  int exit_code() const { return 128 + signal_.load(); }

private:
  void watch();

  sigset_t watched_{};
  sigset_t previous_mask_{};
  std::atomic<int> signal_{0};
  std::atomic<bool> stop_{false};
  std::mutex handler_mutex_;
  std::function<void(const char*)> handler_;
  bool handler_called_ = false;
  std::thread watcher_;
};

} // namespace dtf::app
