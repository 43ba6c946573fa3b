#include "actors/execution/job_queue.hpp"

#include <cstdio>
#include <exception>
#include <utility>

namespace dtf {
namespace {

/// Jobs report their own failures; an exception escaping one is a bug, said
/// aloud, and the runner stays for the next job.
template <class F>
void call_reported(const char* what, F& f) {
  try {
    f();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dtf: internal error: %s escaped its runner: %s\n", what, e.what());
  } catch (...) {
    std::fprintf(stderr, "dtf: internal error: %s escaped its runner\n", what);
  }
}

} // namespace

bool job_queue::push(job work) {
  std::lock_guard lock{mutex_};
  jobs_.push_back(std::move(work));
  ++outstanding_;
  ready_.notify_one();
  // Every runner beyond the jobs in progress is idle or about to look again.
  if (outstanding_ <= runners_) return false;
  ++runners_;
  return true;
}

void job_queue::run_jobs() {
  std::unique_lock lock{mutex_};
  for (;;) {
    ready_.wait(lock, [this] { return !jobs_.empty() || closed_; });
    if (jobs_.empty()) {
      --runners_;
      return;
    }
    auto work = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job_end end;
    auto run = [&] { end = work(); };
    call_reported("a job", run);
    // Both released unlocked: what they hold may be the last reference to
    // the owner, whose end closes this queue.
    work = nullptr;
    lock.lock();
    --outstanding_;
    lock.unlock();
    if (end) call_reported("a job's end", end);
    end = nullptr;
    lock.lock();
  }
}

void job_queue::close() {
  std::lock_guard lock{mutex_};
  closed_ = true;
  ready_.notify_all();
}

std::size_t job_queue::runners() const {
  std::lock_guard lock{mutex_};
  return runners_;
}

} // namespace dtf
