#pragma once
// The coordinator's task definitions, kept compact. A large run queues up to a
// million tasks, and a matrix makes most of them differ only in id, priority
// and command: each task keeps those (the command packed into one string) and
// a reference to its "shape", everything else (type, model, batch size,
// requirements, env, working directory, timeout, retries, origin) stored once
// per distinct value and shared. A whole task is rebuilt only when it leaves
// (to the scheduler's window, a worker, explain). CAF-free.
#include "scheduler/model/task.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtf {

class task_store {
public:
  /// Stores `t` (its id must not be stored yet); returns its index, which
  /// counts up from 0 and never changes.
  std::size_t add(task t);
  std::size_t size() const { return entries_.size(); }
  std::optional<std::size_t> find(std::string_view id) const;

  const std::string& id(std::size_t index) const { return entries_[index].id; }
  std::uint64_t sequence(std::size_t index) const { return entries_[index].sequence; }
  int priority(std::size_t index) const { return entries_[index].priority; }
  /// What the task shares with others of its shape: a task whose id and
  /// command are empty and whose sequence and priority are 0.
  const task& shape(std::size_t index) const { return shapes_[entries_[index].shape]; }
  /// The task as it was added.
  task materialize(std::size_t index) const;
  /// Distinct shapes stored (for tests and figures).
  std::size_t shape_count() const { return shapes_.size(); }

  /// Words as one string: each word's length (7 bits a byte, high bit: more)
  /// then its bytes; any byte, NUL included, survives.
  static std::string pack_words(const std::vector<std::string>& words);
  static std::vector<std::string> unpack_words(std::string_view packed);

private:
  struct entry {
    std::string id;
    std::string command;  // pack_words
    std::uint64_t sequence = 0;
    int priority = 0;
    std::uint32_t shape = 0;
  };
  std::deque<entry> entries_;  // stable addresses: index_ keys view their ids
  std::unordered_map<std::string_view, std::size_t> index_;
  std::deque<task> shapes_;
  std::unordered_map<std::string, std::uint32_t> shape_index_;  // encoded shape -> shapes_ index
};

} // namespace dtf
