#include "apps/dtf/interrupt_watch.hpp"

#include "actors/execution/running_commands.hpp"

#include <cstdio>
#include <ctime>
#include <utility>

#include <pthread.h>
#include <unistd.h>

namespace dtf::app {

namespace {

const char* signal_name(int sig) { return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "signal"; }

} // namespace

interrupt_watch::interrupt_watch() {
  sigemptyset(&watched_);
  sigaddset(&watched_, SIGINT);
  sigaddset(&watched_, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &watched_, &previous_mask_);
  watcher_ = std::thread{[this] { watch(); }};
}

interrupt_watch::~interrupt_watch() {
  stop_ = true;
  watcher_.join();
  ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void interrupt_watch::on_interrupt(std::function<void(const char*)> handler) {
  std::lock_guard lock{handler_mutex_};
  handler_ = std::move(handler);
  if (signal_ != 0 && !handler_called_ && handler_) {
    handler_called_ = true;
    handler_(signal_name(signal_));
  }
}

void interrupt_watch::watch() {
  const timespec tick{0, 100 * 1000 * 1000};  // how soon the destructor is noticed
  while (!stop_) {
    const int sig = ::sigtimedwait(&watched_, nullptr, &tick);
    if (sig <= 0) continue;
    if (signal_ == 0) {
      signal_ = sig;
      std::fprintf(stderr, "\ndtf: %s: stopping: cancelling running tasks and writing the results (again to quit at once)\n",
                   signal_name(sig));
      std::lock_guard lock{handler_mutex_};
      if (handler_ && !handler_called_) {
        handler_called_ = true;
        handler_(signal_name(sig));
      }
      continue;
    }
    // Second signal: no more waiting, but no process of a task is left behind.
    std::fprintf(stderr, "dtf: %s again: killing every running command and quitting\n", signal_name(sig));
    kill_all_running_commands();
    ::_exit(128 + signal_.load());
  }
}

} // namespace dtf::app
