#include "actors/observation/observation_board.hpp"

#include <utility>

namespace dtf {

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Explanations posted but never taken (a reader that timed out) are dropped
/// beyond this many.
constexpr std::size_t max_pending_explanations = 64;

} // namespace

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

observation_board::observation_board(double publish_interval_s, double demand_window_s)
    : publish_interval_s_(publish_interval_s > 0 ? publish_interval_s : 0.25),
      demand_window_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(demand_window_s > 0 ? demand_window_s : 10.0))) {}

bool observation_board::tasks_demanded() const {
  const auto last = last_task_request_ns_.load(std::memory_order_relaxed);
  return last != 0 && steady_ns() - last <= std::chrono::duration_cast<std::chrono::nanoseconds>(demand_window_).count();
}

bool observation_board::details_demanded() const {
  const auto last = last_details_request_ns_.load(std::memory_order_relaxed);
  return last != 0 && steady_ns() - last <= std::chrono::duration_cast<std::chrono::nanoseconds>(demand_window_).count();
}

void observation_board::mark_demand() {
  last_request_ns_.store(steady_ns(), std::memory_order_relaxed);
  coordinator_asked_ = true;
  scheduler_asked_ = true;
}

void observation_board::publish(std::shared_ptr<const coordinator_view> view) {
  {
    std::lock_guard lock{mutex_};
    coordinator_ = std::move(view);
  }
  changed_.notify_all();
}

void observation_board::publish(std::shared_ptr<const scheduler_view_data> view) {
  {
    std::lock_guard lock{mutex_};
    scheduler_ = std::move(view);
  }
  changed_.notify_all();
}

std::shared_ptr<const scheduler_view_data> observation_board::scheduler_detailed(double wait_s) {
  mark_demand();
  last_details_request_ns_.store(steady_ns(), std::memory_order_relaxed);
  std::unique_lock lock{mutex_};
  auto ready = [&] { return scheduler_ && scheduler_->detailed; };
  if (!ready() && wait_s > 0) changed_.wait_for(lock, std::chrono::duration<double>(wait_s), ready);
  return scheduler_;
}

std::shared_ptr<const coordinator_view> observation_board::coordinator(double max_age_s, double wait_s) {
  mark_demand();
  return wait_for_view(max_age_s, wait_s, false);
}

std::shared_ptr<const coordinator_view> observation_board::coordinator_with_tasks(double max_age_s, double wait_s) {
  mark_demand();
  last_task_request_ns_.store(steady_ns(), std::memory_order_relaxed);
  return wait_for_view(max_age_s, wait_s, true);
}

std::shared_ptr<const coordinator_view> observation_board::wait_for_view(double max_age_s, double wait_s, bool tasks) {
  std::unique_lock lock{mutex_};
  auto stale = [&] {
    if (!coordinator_) return true;
    if (coordinator_->all_final) return false;
    const double at = tasks ? coordinator_->tasks_published_at_s : coordinator_->published_at_s;
    return unix_now_s() - at > max_age_s;
  };
  if (stale() && wait_s > 0) changed_.wait_for(lock, std::chrono::duration<double>(wait_s), [&] { return !stale(); });
  return coordinator_;
}

std::shared_ptr<const scheduler_view_data> observation_board::scheduler() {
  mark_demand();
  std::lock_guard lock{mutex_};
  return scheduler_;
}

void observation_board::set_explainer(std::function<void(const std::string&)> explainer) {
  std::lock_guard lock{explainer_mutex_};
  explainer_ = std::move(explainer);
}

void observation_board::close_explainer() {
  {
    std::lock_guard call{explainer_mutex_};  // no call in flight once this returns
    explainer_ = nullptr;
  }
  {
    std::lock_guard lock{mutex_};
    closed_ = true;
  }
  changed_.notify_all();
}

void observation_board::put_explanation(const std::string& task_id, std::string json) {
  {
    std::lock_guard lock{mutex_};
    if (explanations_.size() >= max_pending_explanations) explanations_.erase(explanations_.begin());
    explanations_[task_id] = std::move(json);
  }
  changed_.notify_all();
}

std::optional<std::string> observation_board::explain(const std::string& task_id, double wait_s) {
  {
    std::lock_guard lock{mutex_};
    if (closed_) return std::nullopt;
    explanations_.erase(task_id);
  }
  {
    std::lock_guard call{explainer_mutex_};
    if (!explainer_) return std::nullopt;
    explainer_(task_id);  // a message send: never blocks on an actor
  }
  std::unique_lock lock{mutex_};
  const bool answered = changed_.wait_for(lock, std::chrono::duration<double>(wait_s),
                                          [&] { return explanations_.count(task_id) > 0 || closed_; });
  auto it = explanations_.find(task_id);
  if (!answered || it == explanations_.end()) return std::nullopt;
  auto out = std::move(it->second);
  explanations_.erase(it);
  return out;
}

} // namespace dtf
