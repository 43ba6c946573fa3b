#pragma once
// A client of a running coordinator (dtf submit, status, cancel, stats):
// connects through CAF's middleman, follows task updates, and makes requests
// that each give up after a finite timeout. CAF-free header.
#include "actors/cluster/middleman_settings.hpp"
#include "actors/messages.hpp"
#include "scheduler/model/task.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dtf {

class cluster_client {
public:
  cluster_client(std::string host, std::uint16_t port, middleman_settings settings);
  ~cluster_client();
  cluster_client(const cluster_client&) = delete;
  cluster_client& operator=(const cluster_client&) = delete;

  /// Task updates of every task of the coordinator, in order, on one thread.
  /// Add before connect().
  void subscribe(std::function<void(const task_update&)> callback);
  /// Throws std::runtime_error saying why the coordinator cannot be reached.
  void connect();

  /// Submits in batches; returns how many were accepted (duplicates of ids
  /// the coordinator knows are rejected with a `rejected` update). Throws
  /// std::runtime_error when a batch times out or the coordinator is lost.
  std::uint64_t submit(std::vector<task> tasks);
  bool cancel(const std::string& task_id);
  std::uint64_t cancel_all();
  task_update status(const std::string& task_id);
  runtime_stats stats();

  /// Waits up to `seconds` and returns false once the coordinator is lost
  /// (it exited, or went silent past the connection timeout).
  bool coordinator_alive_after(double seconds);
  /// Waits until the callbacks handled every update received so far.
  void flush_updates();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dtf
