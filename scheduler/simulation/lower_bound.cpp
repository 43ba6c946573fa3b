#include "scheduler/simulation/lower_bound.hpp"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>

namespace dtf {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
/// The coarsest grid durations are rounded down to (past it one cell spans
/// every duration from seconds to years, and the ratio's growth would reach
/// infinity, where rounding turns into NaN).
constexpr double max_rounding = 1e6;

/// Jobs with equal (possibly rounded) duration vectors, with their count.
using task_classes = std::map<std::vector<double>, double>;

double round_down(double x, double ratio) {
  if (ratio <= 1.0 || !std::isfinite(x)) return x;
  return std::pow(ratio, std::floor(std::log(x) / std::log(ratio)));
}

task_classes aggregate(const lower_bound_instance& instance, double ratio) {
  task_classes classes;
  std::vector<double> key;
  for (const auto& job : instance.jobs) {
    key.resize(job.duration_s.size());
    for (std::size_t j = 0; j < key.size(); ++j) key[j] = round_down(job.duration_s[j], ratio);
    classes[key] += 1.0;
  }
  return classes;
}

/// The LP of LST for a fixed T, over classes; feasibility re-checked per T by
/// changing bounds only, so the simplex warm-starts from the previous basis.
class lst_feasibility {
public:
  lst_feasibility(const task_classes& classes, const std::vector<int>& slots, double time_unit_s)
    : slots_(slots), unit_(time_unit_s), lp_(glp_create_prob(), glp_delete_prob) {
    glp_term_out(GLP_OFF);
    const int task_rows = static_cast<int>(classes.size());
    const int worker_rows = static_cast<int>(slots.size());
    glp_add_rows(lp_.get(), task_rows + worker_rows);
    std::vector<int> ia{0}, ja{0};
    std::vector<double> ar{0.0};
    int row = 0;
    for (const auto& [durations, count] : classes) {
      ++row;
      glp_set_row_bnds(lp_.get(), row, GLP_FX, count, count);
      for (std::size_t j = 0; j < durations.size(); ++j) {
        if (!std::isfinite(durations[j])) continue;
        const int col = glp_add_cols(lp_.get(), 1);
        columns_.push_back({col, durations[j] / unit_});
        glp_set_col_bnds(lp_.get(), col, GLP_LO, 0.0, 0.0);
        ia.push_back(row), ja.push_back(col), ar.push_back(1.0);
        ia.push_back(task_rows + 1 + static_cast<int>(j)), ja.push_back(col), ar.push_back(durations[j] / unit_);
      }
    }
    task_rows_ = task_rows;
    glp_load_matrix(lp_.get(), static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
    glp_std_basis(lp_.get());
  }

  bool feasible(double t_s) {
    const double t = t_s / unit_;
    for (std::size_t j = 0; j < slots_.size(); ++j)
      glp_set_row_bnds(lp_.get(), task_rows_ + 1 + static_cast<int>(j), GLP_UP, 0.0, slots_[j] * t);
    for (const auto& c : columns_)
      if (c.duration > t) glp_set_col_bnds(lp_.get(), c.index, GLP_FX, 0.0, 0.0);
      else glp_set_col_bnds(lp_.get(), c.index, GLP_LO, 0.0, 0.0);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp_.get(), &parm) != 0) {
      glp_std_basis(lp_.get());  // numerically troubled warm start: start over
      if (glp_simplex(lp_.get(), &parm) != 0) throw std::runtime_error("lower bound: GLPK simplex failed");
    }
    return glp_get_prim_stat(lp_.get()) == GLP_FEAS;
  }

private:
  struct column { int index; double duration; };
  std::vector<int> slots_;
  double unit_;
  std::unique_ptr<glp_prob, void (*)(glp_prob*)> lp_;
  std::vector<column> columns_;
  int task_rows_ = 0;
};

double lp_bound(const task_classes& classes, const std::vector<int>& slots, double lo, double tolerance) {
  // Upper end: every class on its fastest worker class is feasible.
  std::vector<double> work(slots.size(), 0.0);
  double hi = lo;
  for (const auto& [durations, count] : classes) {
    const auto best = std::min_element(durations.begin(), durations.end()) - durations.begin();
    work[static_cast<std::size_t>(best)] += durations[static_cast<std::size_t>(best)] * count;
  }
  for (std::size_t j = 0; j < slots.size(); ++j)
    if (slots[j] > 0) hi = std::max(hi, work[j] / slots[j]);
  lst_feasibility lp(classes, slots, std::max(lo, 1e-9));
  if (lp.feasible(lo)) return lo;
  if (!lp.feasible(hi)) return lo;  // numerically unexpected: keep the combinatorial bound
  while (hi - lo > tolerance * hi) {
    const double mid = 0.5 * (lo + hi);
    (lp.feasible(mid) ? hi : lo) = mid;
  }
  return lo;  // infeasible side: strictly below the LP optimum
}

} // namespace

lower_bound_result compute_lower_bound(const lower_bound_instance& instance, const lower_bound_options& options) {
  lower_bound_result out;
  if (instance.jobs.empty()) return out;
  long long total_slots = 0;
  for (int s : instance.class_slots) total_slots += std::max(s, 0);
  double work_s = 0.0, largest_min_s = 0.0;
  for (const auto& job : instance.jobs) {
    double fastest = infinity;
    for (std::size_t j = 0; j < job.duration_s.size(); ++j)
      if (instance.class_slots[j] > 0) fastest = std::min(fastest, job.duration_s[j]);
    if (!std::isfinite(fastest)) throw std::invalid_argument("lower bound: a job is feasible on no worker class");
    out.longest_task_s = std::max(out.longest_task_s, job.arrival_s + fastest);
    largest_min_s = std::max(largest_min_s, fastest);
    work_s += fastest;
  }
  out.work_over_slots_s = total_slots > 0 ? work_s / static_cast<double>(total_slots) : infinity;
  out.value_s = std::max(out.longest_task_s, out.work_over_slots_s);
  if (options.use_lp) {
    double ratio = 1.0;
    auto classes = aggregate(instance, ratio);
    while (classes.size() > options.max_lp_task_classes && ratio < max_rounding) {
      ratio = ratio == 1.0 ? 1.01 : 1.0 + (ratio - 1.0) * 2.0;
      classes = aggregate(instance, ratio);
    }
    out.lp_task_classes = classes.size();
    out.lp_rounding = ratio;
    // Jobs differ in where they can run (or the limit is tiny) beyond what
    // any grid merges: no LP, (a) and (b) stand.
    if (classes.size() > options.max_lp_task_classes) return out;
    // The LP is at least the largest fastest time and the work over slots.
    const double lo = std::max(largest_min_s, out.work_over_slots_s) / ratio;
    out.lp_s = lp_bound(classes, instance.class_slots, lo, options.relative_tolerance);
    out.value_s = std::max(out.value_s, out.lp_s);
  }
  return out;
}

} // namespace dtf
