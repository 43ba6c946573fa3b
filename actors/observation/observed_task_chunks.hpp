#pragma once
// The task table of successive coordinator views, rebuilt chunk by chunk:
// the coordinator marks the tasks that changed, and a new view shares every
// chunk none of whose tasks changed with the view before it. Publishing a view
// of 100,000 tasks thus copies only what moved since the last one.
#include "actors/observation/run_snapshot.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace dtf {

class observed_task_chunks {
public:
  /// The task at `index` changed (or is new).
  void mark(std::size_t index) {
    const auto chunk = index / observed_task_chunk;
    if (chunk >= dirty_.size()) dirty_.resize(chunk + 1, 1);
    dirty_[chunk] = 1;
  }

  /// Brings the chunks up to `count` tasks; `make(index)` gives the
  /// observed_task of a task in a chunk that changed.
  template <class Make>
  void refresh(std::size_t count, Make&& make) {
    const auto chunk_count = (count + observed_task_chunk - 1) / observed_task_chunk;
    if (dirty_.size() < chunk_count) dirty_.resize(chunk_count, 1);
    chunks_.resize(chunk_count);
    for (std::size_t c = 0; c < chunk_count; ++c) {
      const auto end = std::min(count, (c + 1) * observed_task_chunk);
      if (!dirty_[c] && chunks_[c] && chunks_[c]->size() == end - c * observed_task_chunk) continue;
      auto rows = std::make_shared<std::vector<observed_task>>();
      rows->reserve(end - c * observed_task_chunk);
      for (std::size_t i = c * observed_task_chunk; i < end; ++i) rows->push_back(make(i));
      chunks_[c] = std::move(rows);
      dirty_[c] = 0;
    }
  }

  const std::vector<observed_task_chunk_ptr>& chunks() const { return chunks_; }

private:
  std::vector<observed_task_chunk_ptr> chunks_;
  std::vector<char> dirty_;
};

} // namespace dtf
