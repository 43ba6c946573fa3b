#include "scheduler/output/explanation_json.hpp"

#include <cmath>

namespace dtf {

namespace {

double finite(double value) { return std::isfinite(value) ? value : 0.0; }

} // namespace

nlohmann::ordered_json explanation_json(const decision_explanation& why) {
  using json = nlohmann::ordered_json;
  json out{{"task", why.task_id}, {"policy", why.policy}, {"outcome", why.outcome},
           {"winner", why.winner ? json(*why.winner) : json(nullptr)}, {"candidates", json::array()}};
  for (const auto& c : why.candidates) {
    json candidate{{"worker", c.worker_id}, {"feasible", c.feasible}, {"has_free_slot", c.has_free_slot}};
    if (c.feasible) {
      candidate["total"] = finite(c.total);
      candidate["predicted_s"] = finite(c.predicted_duration_s);
      candidate["terms"] = json::array();
      for (const auto& t : c.terms)
        candidate["terms"].push_back({{"name", t.name},
                                      {"value", finite(t.value)},
                                      {"weight", finite(t.weight)},
                                      {"contribution", finite(t.contribution)}});
    } else {
      candidate["rejection"] = c.rejection;
    }
    out["candidates"].push_back(std::move(candidate));
  }
  return out;
}

} // namespace dtf
