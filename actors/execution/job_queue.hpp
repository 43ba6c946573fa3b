#pragma once
// Jobs for a few long-lived runner threads. A real command's attempt blocks
// its thread for the command's whole life; a thread started per attempt cost
// a thread (and an actor) created and torn down for every task, a large part
// of the time between one short task's end and the next one's start. CAF-free:
// the owner starts runners where push() asks for one, each calling run_jobs().
#include <cstddef>
#include <deque>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace dtf {

class job_queue {
public:
  /// What a job does once its runner counts as free again (may be empty): the
  /// place to tell the owner the job ended, so that a job the owner pushes
  /// on hearing it finds that runner idle.
  using job_end = std::function<void()>;
  using job = std::function<job_end()>;

  /// Queues a job. Returns true when every runner is busy with an earlier job:
  /// the caller then starts one more runner. So a job never waits for another,
  /// and runners never outnumber the jobs the owner had outstanding at once
  /// (pushed, and their end not yet heard).
  bool push(job work);

  /// A runner's whole life: runs jobs as they come; after close(), runs what is
  /// still queued and returns.
  void run_jobs();

  /// No more jobs will come: idle runners return, busy ones after the queue is empty.
  void close();

  std::size_t runners() const;

private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<job> jobs_;
  std::size_t outstanding_ = 0;  // pushed and not finished
  std::size_t runners_ = 0;      // asked for by push and not returned
  bool closed_ = false;
};

} // namespace dtf
