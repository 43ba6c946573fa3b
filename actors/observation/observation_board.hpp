#pragma once
// The thread-safe meeting point between the actors and the HTTP server. The
// coordinator and the scheduler actor publish immutable views here (whole
// values behind shared_ptr, swapped under a short lock); the HTTP thread
// reads the latest. Actors never wait for a reader: on their own timer they
// publish when a reader asked since their last view (so a scraper polling
// every second costs one view a second), and once more at the end.
// The one request that goes to an actor, an explanation, is a message the
// reader sends through `explainer`; the scheduler answers by posting here and
// the reader waits (with a limit) on this board, never an actor. No CAF here.
#include "actors/observation/run_snapshot.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace dtf {

class observation_board {
public:
  /// `publish_interval_s`: how often actors publish while there is demand;
  /// `demand_window_s`: how long a request keeps them publishing.
  explicit observation_board(double publish_interval_s = 0.25, double demand_window_s = 10.0);

  // Writers (actors).
  double publish_interval_s() const { return publish_interval_s_; }
  /// A reader asked since the last call (each actor asks for itself).
  bool take_coordinator_request() { return coordinator_asked_.exchange(false); }
  bool take_scheduler_request() { return scheduler_asked_.exchange(false); }
  /// A reader asked for the task table (/tasks, /tasks/ID) within the window.
  bool tasks_demanded() const;
  /// A reader asked for the scheduler's full statistics (/stats) within the window.
  bool details_demanded() const;
  void publish(std::shared_ptr<const coordinator_view> view);
  void publish(std::shared_ptr<const scheduler_view_data> view);
  /// The scheduler's answer to an explanation request: JSON text, or empty
  /// when the task is unknown.
  void put_explanation(const std::string& task_id, std::string json);

  // Readers (any thread).
  /// Records demand and returns the latest coordinator view; when it is older
  /// than `max_age_s` (nobody asked for a while), waits up to `wait_s` for a
  /// newer one. Null before the first publication.
  std::shared_ptr<const coordinator_view> coordinator(double max_age_s = 2.0, double wait_s = 1.0);
  /// As coordinator(), for a reader of the task table: waits (up to wait_s)
  /// when the view's tasks are older than max_age_s.
  std::shared_ptr<const coordinator_view> coordinator_with_tasks(double max_age_s = 2.0, double wait_s = 1.0);
  std::shared_ptr<const scheduler_view_data> scheduler();
  /// As scheduler(), for a reader of the full statistics: waits (up to
  /// wait_s) for a detailed view when the latest is not one.
  std::shared_ptr<const scheduler_view_data> scheduler_detailed(double wait_s = 1.0);
  /// Asks the explainer for the task's explanation and waits up to `wait_s`
  /// for it: nullopt when none came (no explainer, the run is over, timeout),
  /// "" when the task is unknown.
  std::optional<std::string> explain(const std::string& task_id, double wait_s = 2.0);
  /// Set by the runtime: sends the request to the coordinator (non-blocking).
  void set_explainer(std::function<void(const std::string& task_id)> explainer);
  /// After this, explain() answers nullopt at once (the actors are gone).
  void close_explainer();

private:
  void mark_demand();
  std::shared_ptr<const coordinator_view> wait_for_view(double max_age_s, double wait_s, bool tasks);

  const double publish_interval_s_;
  const std::chrono::steady_clock::duration demand_window_;
  std::atomic<std::int64_t> last_request_ns_{0};  // steady clock; 0 = never
  std::atomic<std::int64_t> last_task_request_ns_{0};
  std::atomic<std::int64_t> last_details_request_ns_{0};
  std::atomic<bool> coordinator_asked_{false};
  std::atomic<bool> scheduler_asked_{false};

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<const coordinator_view> coordinator_;
  std::shared_ptr<const scheduler_view_data> scheduler_;
  std::mutex explainer_mutex_;  // held while the explainer is called or replaced
  std::function<void(const std::string&)> explainer_;
  std::map<std::string, std::string> explanations_;  // answers not yet taken (bounded)
  bool closed_ = false;
};

/// Seconds since the unix epoch (the clock of the views' timestamps).
double unix_now_s();

} // namespace dtf
