#include "scheduler/core/task_table.hpp"

namespace dtf {

task_handle task_table::add(task t) {
  task_handle h;
  if (!free_handles_.empty()) {
    h = free_handles_.back();
    free_handles_.pop_back();
  } else {
    h = static_cast<task_handle>(records_.size());
    records_.emplace_back();
  }
  auto& r = records_[h];
  r = task_record{};
  r.live = true;
  index_.emplace(t.id, h);
  r.body = std::move(t);
  return h;
}

void task_table::retire(task_handle h) {
  auto& r = records_[h];
  index_.erase(r.body.id);
  r.live = false;
  r.body = task{};
  free_handles_.push_back(h);
}

task_handle task_table::find(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? no_handle : it->second;
}

const execution_predictor::query& task_table::query(task_handle h, const execution_predictor& predictor) const {
  const auto& r = records_[h];
  // A query that found no variant is prepared again once more variants are known (its own may be).
  if (r.query_names != predictor.name_count() ||
      (r.query.variant == execution_predictor::no_key && r.query_variants != predictor.variant_count())) {
    r.query = predictor.prepare(r.body);
    r.query_names = predictor.name_count();
    r.query_variants = predictor.variant_count();
  }
  return r.query;
}

} // namespace dtf
