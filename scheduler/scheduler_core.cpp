#include "scheduler/scheduler_core.hpp"

#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/deferral_certificate.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/filters/requirement_filter.hpp"
#include "scheduler/learning/prediction_error.hpp"
#include "scheduler/profile_member_order.hpp"
#include "scheduler/scheduler_stats.hpp"
#include "scheduler/slot_utilization.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace dtf {

namespace {

constexpr std::uint32_t no_handle = std::numeric_limits<std::uint32_t>::max();
constexpr int no_worker = -1;
constexpr std::size_t no_avoided = std::numeric_limits<std::size_t>::max();
constexpr double infinity = std::numeric_limits<double>::infinity();

// Status buckets for the counters: the task_status values, then "planned".
constexpr std::size_t status_buckets = 8;
constexpr std::size_t planned_bucket = 7;
std::size_t bucket(task_status s) { return static_cast<std::size_t>(s); }
std::string_view bucket_name(std::size_t b) {
  return b == planned_bucket ? std::string_view{"planned"} : to_string(static_cast<task_status>(b));
}

double finite_or(double v, double fallback) { return std::isfinite(v) ? v : fallback; }
// A run that timed out after d took longer than d: learned as d x this margin.
constexpr double lower_bound_margin = 1.25;

// Order of the pending queue: priority high first; then tasks that waited
// too long (aged, in submission order); then predicted duration (at
// submission) long first, then submission sequence, then handle.
struct queue_key {
  int priority = 0;
  double predicted_s = 0.0;
  std::uint64_t sequence = 0;
  std::uint32_t handle = 0;
  bool aged = false;
  bool operator<(const queue_key& o) const {
    if (priority != o.priority) return priority > o.priority;
    if (aged != o.aged) return aged;
    if (aged && sequence != o.sequence) return sequence < o.sequence;
    if (predicted_s != o.predicted_s) return predicted_s > o.predicted_s;
    if (sequence != o.sequence) return sequence < o.sequence;
    return handle < o.handle;
  }
};

// Tasks with identical requirements share feasibility: one class per distinct
// requirement set, computed once per worker registration.
std::string requirement_signature(const task_requirements& r) {
  std::string s;
  auto add = [&](std::string_view part) {
    s += part;
    s += '\x1f';
  };
  auto add_double = [&](double v) {
    char bytes[sizeof v];
    std::memcpy(bytes, &v, sizeof v);
    s.append(bytes, sizeof bytes);
    s += '\x1f';
  };
  for (auto k : r.hardware) s += static_cast<char>('0' + static_cast<int>(k));
  s += '\x1e';
  add_double(r.min_memory_gb);
  if (r.min_cuda_compute) add_double(*r.min_cuda_compute); else add("-");
  for (const auto& g : r.gfx_arch) add(g);
  s += '\x1e';
  // The soft `device` preference does not change feasibility, but the class
  // also caches nothing score-related, so it stays out of the signature.
  for (const auto& d : r.require_device) add(d);
  s += '\x1e';
  for (const auto& l : r.labels) add(l);
  s += '\x1e';
  add(std::to_string(r.min_cores));
  return s;
}

} // namespace

std::optional<std::size_t> placement_policy::preview(const task& t, std::span<const std::size_t> free_feasible,
                                                     std::span<const std::size_t>, const scheduler_view& view,
                                                     double now_s) {
  std::optional<std::size_t> best;
  double best_total = -infinity;
  for (std::size_t index : free_feasible) {
    const double total = explain(t, index, view, now_s).total;
    if (!best || total > best_total) {
      best = index;
      best_total = total;
    }
  }
  return best;
}

struct scheduler_core::impl {
  struct worker_record {
    worker_capability cap;
    int slots = 0;      // orders placed at once: its slots plus the prefetch queue
    int run_slots = 0;  // tasks it runs at once (the utilization's capacity)
    int running = 0;
    std::vector<std::uint32_t> running_tasks;  // task handles
    double earliest_end_s = infinity;          // min over running of placed_at + predicted
    worker_metrics metrics;
    affinity_map::key affinity_key = affinity_map::no_key;
    specialization_tracker::key specialization_key = specialization_tracker::no_key;
    execution_predictor::key device_key = execution_predictor::no_key;
    std::uint32_t profile = 0;           // workers alike for filters, terms and predictions
    double busy_s = 0.0;
    std::uint64_t completed = 0;
  };

  struct task_record {
    task body;
    task_status status = task_status::pending;
    bool live = false;   // holds a task (false: free handle)
    int worker = no_worker;
    double submitted_at_s = 0.0;
    double placed_at_s = 0.0;
    double predicted_s = 0.0;  // prediction on the chosen worker at placement
    bool predicted_from_history = false;  // ... made from learned history, not a default
    prediction_level predicted_level = prediction_level::default_estimate;  // ... its level
    double predicted_p90_s = 0.0;                                           // ... and its p90
    queue_key key;
    std::uint32_t class_id = 0;
    affinity_map::key affinity_model = affinity_map::no_key;
    specialization_tracker::key specialization_family = specialization_tracker::no_key;
    affinity_map::key avoid_worker = affinity_map::no_key;  // requeue preference
    double first_deferred_at_s = -1.0;  // when the policy first held it back; < 0: never
    // The predictor query of the body, kept while the predictor's names do not change.
    mutable execution_predictor::query query;
    mutable std::size_t query_names = std::numeric_limits<std::size_t>::max();
    double ages_at_s = infinity;        // key in `aging` while pending and not aged
    int affinity_skips = 0;             // times a warm-model task went ahead of it
    // A second attempt started because the first overran its prediction.
    int backup_worker = no_worker;
    double backup_placed_at_s = 0.0;
    double backup_predicted_s = 0.0;
    bool backup_predicted_from_history = false;
    prediction_level backup_predicted_level = prediction_level::default_estimate;
    double backup_predicted_p90_s = 0.0;
    double overdue_at_s = infinity;  // key in `overdue` while the attempt runs without a backup
    double censor_at_s = infinity;   // key in `censor_checks` while the first attempt runs
  };

  // Workers identical in everything the filters, terms and predictor read
  // (kind, name, memory, capability, arch, cores, labels, speed). A
  // requirement class's feasible set is a union of profiles, and one
  // prediction per profile serves all its workers.
  struct worker_profile {
    worker_capability representative;
    std::vector<std::size_t> members;       // ascending
    std::vector<std::size_t> free_members;  // ascending: running < slots
    // Full workers that run something, by predicted time their first slot frees.
    std::vector<std::pair<double, std::size_t>> full_by_end;  // sorted
    std::vector<std::uint32_t> classes;     // requirement classes it passes
    // Classes no other profile can run (scarcity: see reserved()).
    std::vector<std::uint32_t> exclusive_classes;
    int total_slots = 0;                    // over its members
  };

  struct requirement_class {
    task_requirements requirements;
    std::vector<std::size_t> feasible;  // worker indices, ascending
    std::vector<std::uint32_t> profiles;  // feasible profiles, ascending
    int free_feasible = 0;              // feasible workers with a free slot
    // Ordered like std::set<queue_key>, plus the k-th element in O(log n):
    // schedule() passes over runs of tasks without stepping through them.
    __gnu_pbds::tree<queue_key, __gnu_pbds::null_type, std::less<queue_key>, __gnu_pbds::rb_tree_tag,
                     __gnu_pbds::tree_order_statistics_node_update>
        pending;
    std::vector<deferral_certificate> certificates;  // by deferral within a turn
  };

  // Per-decision cache so that scoring one task against many workers resolves
  // names once and predicts once per prediction class.
  struct decision_context {
    const task* t = nullptr;
    std::uint32_t handle = no_handle;
    execution_predictor::query query;
    affinity_map::key affinity_model = affinity_map::no_key;
    specialization_tracker::key specialization_family = specialization_tracker::no_key;
    std::size_t deferred_ahead = 0;        // tasks of its class held back earlier in this call
    std::size_t ending_turn = std::numeric_limits<std::size_t>::max();  // see pass_over_ending_turn
    std::span<const std::uint32_t> profiles;  // feasible profiles of its class (in schedule())
    std::size_t avoided = no_avoided;         // worker this decision must not use
    std::vector<double> duration_s;        // by worker profile
    std::vector<prediction_level> level;   // ... and the level that answered
    std::vector<std::uint32_t> stamp;      // generation that filled duration_s
    std::uint32_t generation = 0;
  };

  scheduler_config config;
  std::unique_ptr<placement_policy> policy;
  execution_predictor predictor;
  affinity_map affinity;
  specialization_tracker specialization;

  std::vector<worker_record> workers;
  std::vector<worker_capability> capabilities;  // mirror for workers()
  std::unordered_map<std::string, std::size_t> worker_index;  // lookups only

  std::vector<task_record> tasks;
  std::vector<std::uint32_t> free_handles;
  std::unordered_map<std::string, std::uint32_t> task_index;  // live tasks; lookups only

  std::vector<requirement_class> classes;
  std::unordered_map<std::string, std::uint32_t> class_index;  // lookups only
  std::vector<worker_profile> profiles;
  std::unordered_map<std::string, std::uint32_t> profile_index;  // lookups only
  profile_member_order member_order{specialization, affinity};

  std::uint64_t next_sequence = 1;
  std::size_t pending = 0;
  std::size_t running = 0;
  std::uint64_t structure_changes = 0;  // workers added or removed (deferral certificates)
  // Classes with exactly one feasible profile, kept as profiles and classes change.
  std::vector<std::uint32_t> exclusive_class_ids;

  // Statistics.
  std::array<std::array<std::uint64_t, status_buckets>, 3> counts{};
  std::array<double, 3> duration_sum_s{};
  std::array<std::uint64_t, 3> duration_count{};
  std::map<std::string, std::uint64_t> family_distribution;
  std::map<std::string, std::uint64_t> metric_counts;
  affinity_stats affinity_counts;
  std::uint64_t decisions = 0;
  std::uint64_t deferrals = 0;
  std::uint64_t backups_started = 0;
  prediction_error prediction_errors;  // of placements' predictions, against successful results
  std::uint64_t backups_won = 0;
  double backup_wasted_s = 0.0;   // slot time of attempts that lost a race to their copy
  double finished_busy_s = 0.0;   // slot time of every attempt that ended (busy_slot_s)
  std::uint64_t affinity_lookaheads = 0;
  // Running first attempts by the time they become overdue (policies that want backups only).
  std::set<std::pair<double, std::uint32_t>> overdue;
  // Running first attempts by when the time they have run is next learned as
  // a lower bound (censored sample): placed + 2^k x the prediction.
  std::set<std::pair<double, std::uint32_t>> censor_checks;
  double wakeup_s = infinity;  // when schedule() may start a backup with no other event
  // Pending tasks with a model, per model, in queue order (affinity lookahead).
  std::unordered_map<affinity_map::key, std::set<queue_key>> pending_by_model;  // lookups only
  // ... those of them never deferred (the only ones the lookahead takes).
  std::unordered_map<affinity_map::key, std::set<queue_key>> undeferred_by_model;  // lookups only
  bool warm_lookahead = false;  // the policy prefers warm tasks: the two indexes above are kept
  // Pending tasks by the time they age (move ahead of younger, longer tasks).
  std::set<std::pair<double, std::uint32_t>> aging;
  // Past their aging time but submitted with the latest submissions: nothing
  // arrived after them, so nothing overtook them (a batch keeps its order).
  std::vector<std::pair<std::uint32_t, std::uint64_t>> aging_parked;  // handle, sequence
  double last_submission_s = -infinity;
  double first_now_s = infinity;
  double last_now_s = -infinity;

  // Explanations (only when config.keep_explanations > 0).
  std::map<std::string, decision_explanation> explanations;
  std::deque<std::string> explanation_order;

  mutable decision_context context;

  // Scratch buffers reused by schedule(): no allocation per decision.
  std::vector<std::size_t> free_scratch;
  std::vector<std::size_t> busy_scratch;
  std::vector<std::pair<queue_key, std::uint32_t>> class_heap;

  impl(scheduler_config c, std::unique_ptr<placement_policy> p)
    : config(std::move(c)), policy(std::move(p)), affinity(config.max_learned_links, config.affinity_recent_models) {
    if (!policy) policy = make_policy("intelligent", config);
    warm_lookahead = policy->prefers_warm_tasks();
  }

  // ---- time and counters ----
  void observe(double now_s) {
    if (!std::isfinite(now_s)) return;
    first_now_s = std::min(first_now_s, now_s);
    last_now_s = std::max(last_now_s, now_s);
  }
  void count_status(const task_record& r, std::size_t b, int delta) {
    auto& c = counts[static_cast<std::size_t>(r.body.type)][b];
    c = static_cast<std::uint64_t>(static_cast<std::int64_t>(c) + delta);
  }
  void set_status(task_record& r, task_status s) {
    count_status(r, bucket(r.status), -1);
    r.status = s;
    count_status(r, bucket(s), +1);
  }

  // ---- profiles and requirement classes ----
  static std::string profile_signature(const worker_capability& w) {
    std::string key = w.name;
    key += '\x1f';
    key += to_string(w.kind);
    key += '\x1f' + std::to_string(w.memory_bytes) + '\x1f';
    key += w.compute_capability ? std::to_string(*w.compute_capability) : std::string{"-"};
    key += '\x1f' + w.arch + '\x1f' + std::to_string(w.cores) + '\x1f' + std::to_string(w.speed);
    for (const auto& label : w.labels) key += '\x1f' + label;
    return key;
  }

  /// The worker's profile, created (with its feasibility for every class) if new.
  std::uint32_t profile_of(const worker_capability& w) {
    auto signature = profile_signature(w);
    auto it = profile_index.find(signature);
    if (it != profile_index.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(profiles.size());
    worker_profile p;
    p.representative = w;
    for (std::uint32_t c = 0; c < classes.size(); ++c)
      if (!first_rejection(classes[c].requirements, w)) {
        p.classes.push_back(c);
        classes[c].profiles.push_back(id);
      }
    profiles.push_back(std::move(p));
    profile_index.emplace(std::move(signature), id);
    for (auto c : profiles[id].classes) note_class_profiles(c);
    return id;
  }

  /// Feasible workers and free count of a class from its profiles.
  void fill_class(requirement_class& c) {
    c.feasible.clear();
    c.free_feasible = 0;
    for (auto p : c.profiles) {
      c.feasible.insert(c.feasible.end(), profiles[p].members.begin(), profiles[p].members.end());
      c.free_feasible += static_cast<int>(profiles[p].free_members.size());
    }
    std::sort(c.feasible.begin(), c.feasible.end());
  }

  std::uint32_t class_of(const task_requirements& req) {
    auto signature = requirement_signature(req);
    auto it = class_index.find(signature);
    if (it != class_index.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(classes.size());
    requirement_class c;
    c.requirements = req;
    for (std::uint32_t p = 0; p < profiles.size(); ++p)
      if (!first_rejection(req, profiles[p].representative)) {
        c.profiles.push_back(p);
        profiles[p].classes.push_back(id);
      }
    fill_class(c);
    classes.push_back(std::move(c));
    class_index.emplace(std::move(signature), id);
    note_class_profiles(id);
    return id;
  }

  /// After a removal shifted worker indices: profiles and classes from scratch.
  void rebuild_profiles_and_classes() {
    profiles.clear();
    profile_index.clear();
    for (auto& c : classes) c.profiles.clear();
    for (std::size_t i = 0; i < workers.size(); ++i) {
      auto& w = workers[i];
      w.profile = profile_of(w.cap);
      auto& p = profiles[w.profile];
      p.members.push_back(i);
      if (w.running < w.slots) p.free_members.push_back(i);
      else if (w.running > 0) p.full_by_end.emplace_back(w.earliest_end_s, i);
    }
    for (auto& p : profiles) std::sort(p.full_by_end.begin(), p.full_by_end.end());
    for (auto& c : classes) fill_class(c);
    for (const auto& w : workers) profiles[w.profile].total_slots += std::max(0, w.slots);
    index_exclusive_classes();
    member_order.clear();
    for (std::size_t i = 0; i < workers.size(); ++i) add_to_member_order(i);
  }

  void add_to_member_order(std::size_t wi) {
    const auto& w = workers[wi];
    member_order.add(wi, w.profile, w.specialization_key, w.affinity_key);
    member_order.set_has_metrics(wi, has_any_metric(w.metrics));
  }
  static bool has_any_metric(const worker_metrics& m) {
    return m.utilization || m.temperature_c || m.power_w || m.power_limit_w || m.memory_used_bytes;
  }
  /// affinity.touch / learn_success with the member order kept current.
  void touch_affinity(std::size_t wi, affinity_map::key model, bool success) {
    member_order.before_warm_change(wi);
    if (success) affinity.learn_success(workers[wi].affinity_key, model);
    else affinity.touch(workers[wi].affinity_key, model);
    member_order.after_warm_change(wi);
  }

  // ---- scarcity ----
  /// After class c gained a feasible profile (or was created): it is
  /// exclusive while it has exactly one.
  void note_class_profiles(std::uint32_t c) {
    const auto& feasible = classes[c].profiles;
    if (feasible.size() == 1) {
      exclusive_class_ids.push_back(c);
      profiles[feasible.front()].exclusive_classes.push_back(c);
    } else if (feasible.size() == 2) {
      std::erase(exclusive_class_ids, c);
      for (auto p : feasible) std::erase(profiles[p].exclusive_classes, c);
    }
  }
  void index_exclusive_classes() {
    exclusive_class_ids.clear();
    for (auto& p : profiles) p.exclusive_classes.clear();
    for (std::uint32_t c = 0; c < classes.size(); ++c)
      if (classes[c].profiles.size() == 1) {
        exclusive_class_ids.push_back(c);
        profiles[classes[c].profiles.front()].exclusive_classes.push_back(c);
      }
  }
  /// Pending tasks that only profile p can run.
  std::size_t exclusive_pending(std::uint32_t p) const {
    std::size_t n = 0;
    for (auto c : profiles[p].exclusive_classes) n += classes[c].pending.size();
    return n;
  }
  bool any_exclusive_pending() const {
    for (auto c : exclusive_class_ids)
      if (!classes[c].pending.empty()) return true;
    return false;
  }
  /// Whether task t (in the current decision, of class `own`) should leave
  /// profile p to the pending tasks only p can run: it would delay them by
  /// about here / slots each, which costs more than running t on the best
  /// other free profile it fits (open_best - here).
  bool reserved(const task& t, std::uint32_t own, std::uint32_t p, std::size_t avoided) const {
    if (p >= profiles.size() || classes[own].profiles.size() <= 1) return false;
    const std::size_t waiting = exclusive_pending(p);
    if (waiting == 0 || profiles[p].members.empty()) return false;
    double open_best = infinity;
    for (auto q : classes[own].profiles) {
      if (q == p || exclusive_pending(q) > 0) continue;
      const auto& members = profiles[q].free_members;
      const std::size_t first = members.empty() ? no_avoided : members[0] != avoided ? members[0]
                                                           : members.size() > 1       ? members[1]
                                                                                      : no_avoided;
      if (first == no_avoided) continue;
      open_best = std::min(open_best, predicted_duration(t, first));
    }
    if (!std::isfinite(open_best)) return false;
    const double here = predicted_duration(t, profiles[p].members.front());
    const double slots = std::max(1, profiles[p].total_slots);
    return open_best - here < static_cast<double>(waiting) * here / slots;
  }

  /// Slot time of every attempt so far: ended ones and, up to now, running ones.
  double busy_slot_s(double now_s) const {
    double busy = finished_busy_s;
    for (const auto& w : workers)
      for (auto h : w.running_tasks) {
        const auto& r = tasks[h];
        const double at = r.backup_worker == static_cast<int>(&w - workers.data()) ? r.backup_placed_at_s : r.placed_at_s;
        busy += std::max(0.0, finite_or(now_s - at, 0.0));
      }
    return busy;
  }

  // ---- slots ----
  /// Predicted end of the task's attempt on worker wi (its backup or its first).
  double expected_end(std::uint32_t h, std::size_t wi) const {
    const auto& r = tasks[h];
    if (r.backup_worker == static_cast<int>(wi)) return r.backup_placed_at_s + r.backup_predicted_s;
    return r.placed_at_s + r.predicted_s;
  }

  void recompute_earliest_end(std::size_t wi) {
    auto& w = workers[wi];
    w.earliest_end_s = infinity;
    for (auto h : w.running_tasks) w.earliest_end_s = std::min(w.earliest_end_s, expected_end(h, wi));
  }

  template <typename T>
  static void insert_sorted(std::vector<T>& v, const T& x) { v.insert(std::lower_bound(v.begin(), v.end(), x), x); }
  template <typename T>
  static void erase_sorted(std::vector<T>& v, const T& x) {
    auto it = std::lower_bound(v.begin(), v.end(), x);
    if (it != v.end() && *it == x) v.erase(it);
  }

  void occupy(std::size_t wi, std::uint32_t h) {
    auto& w = workers[wi];
    auto& p = profiles[w.profile];
    ++w.running;
    w.running_tasks.push_back(h);
    w.earliest_end_s = std::min(w.earliest_end_s, expected_end(h, wi));
    if (w.running == w.slots) {
      erase_sorted(p.free_members, wi);
      insert_sorted(p.full_by_end, std::pair{w.earliest_end_s, wi});
      for (auto c : p.classes) --classes[c].free_feasible;
    }
    ++running;
  }

  /// Frees the slot of the task's attempt on worker wi (no bookkeeping of
  /// which attempt it was: see vacate and drop_backup).
  void free_slot(std::uint32_t h, int wi, double placed_at_s, double now_s) {
    const auto index = static_cast<std::size_t>(wi);
    auto& w = workers[index];
    auto& p = profiles[w.profile];
    auto it = std::find(w.running_tasks.begin(), w.running_tasks.end(), h);
    if (it != w.running_tasks.end()) w.running_tasks.erase(it);
    if (w.running == w.slots) {
      erase_sorted(p.full_by_end, std::pair{w.earliest_end_s, index});
      insert_sorted(p.free_members, index);
      for (auto c : p.classes) ++classes[c].free_feasible;
    }
    --w.running;
    if (std::isfinite(now_s)) {
      const double ran = std::max(0.0, now_s - placed_at_s);
      w.busy_s += ran;
      finished_busy_s += ran;
    }
    recompute_earliest_end(index);
    --running;
  }

  void unmark_overdue(task_record& r, std::uint32_t h) {
    if (r.overdue_at_s != infinity) overdue.erase({r.overdue_at_s, h});
    r.overdue_at_s = infinity;
  }

  void unmark_censor_check(task_record& r, std::uint32_t h) {
    if (r.censor_at_s != infinity) censor_checks.erase({r.censor_at_s, h});
    r.censor_at_s = infinity;
  }

  void mark_censor_check(std::uint32_t h, double at_s) {
    auto& r = tasks[h];
    if (!std::isfinite(at_s)) return;
    r.censor_at_s = at_s;
    censor_checks.emplace(at_s, h);
  }

  /// A first attempt still running at twice (four times, ...) its prediction
  /// has run at least that long on its worker: learned as a lower bound, so a
  /// device far slower than believed stops drawing such tasks while the
  /// attempt still runs, not only once it ends. Checked at schedule() calls
  /// (no wake-up of its own); O(log n) per check, O(log overrun) per attempt.
  void learn_running_lower_bounds(double now_s) {
    while (!censor_checks.empty() && censor_checks.begin()->first <= now_s) {
      const std::uint32_t h = censor_checks.begin()->second;
      censor_checks.erase(censor_checks.begin());
      auto& r = tasks[h];
      r.censor_at_s = infinity;
      if (r.worker == no_worker) continue;
      const double ran_s = now_s - r.placed_at_s;
      if (!(ran_s > 0.0)) continue;
      predictor.record_lower_bound(r.body.model, r.body.type, r.body.batch_size,
                                   workers[static_cast<std::size_t>(r.worker)].cap, ran_s);
      mark_censor_check(h, r.placed_at_s + 2.0 * ran_s);
    }
  }

  /// Frees the slot of the task's backup attempt, if any.
  void drop_backup(std::uint32_t h, double now_s) {
    auto& r = tasks[h];
    if (r.backup_worker == no_worker) return;
    const int wi = r.backup_worker;
    free_slot(h, wi, r.backup_placed_at_s, now_s);
    r.backup_worker = no_worker;
  }

  /// Frees the slot of the task's first attempt and of its backup; returns
  /// the first attempt's worker index.
  int vacate(std::uint32_t h, double now_s) {
    auto& r = tasks[h];
    drop_backup(h, now_s);
    unmark_overdue(r, h);
    unmark_censor_check(r, h);
    const int wi = r.worker;
    if (wi == no_worker) return wi;
    free_slot(h, wi, r.placed_at_s, now_s);
    r.worker = no_worker;
    return wi;
  }

  /// The backup attempt becomes the task's only attempt (its first failed or
  /// its worker left).
  void promote_backup(std::uint32_t h, double now_s) {
    auto& r = tasks[h];
    unmark_overdue(r, h);
    unmark_censor_check(r, h);
    if (r.worker != no_worker) free_slot(h, r.worker, r.placed_at_s, now_s);
    r.worker = r.backup_worker;
    r.placed_at_s = r.backup_placed_at_s;
    r.predicted_s = r.backup_predicted_s;
    r.predicted_from_history = r.backup_predicted_from_history;
    r.predicted_level = r.backup_predicted_level;
    r.predicted_p90_s = r.backup_predicted_p90_s;
    r.backup_worker = no_worker;
  }

  /// A first attempt just placed: remember when it becomes overdue -- past
  /// both backup_overrun_factor x its prediction and the p99 of its level's
  /// learned spread, so only a real straggler, not an ordinary miss, gets a
  /// copy. Predictions not from this model's own history never do: a default
  /// or a family guess overrun says the guess was wrong, not the worker slow.
  void mark_overdue_time(std::uint32_t h) {
    auto& r = tasks[h];
    if (!policy->wants_backups() || !config.backup_attempts) return;
    if (!from_model_history(r.predicted_level)) return;
    const double p99 = predictor.spread().quantile_s(1.0, r.predicted_level, prediction_spread::z99);
    const double factor = std::max({1.0, finite_or(config.backup_overrun_factor, 2.0), p99});
    const double at = r.placed_at_s + factor * std::max(r.predicted_s, 1e-3);
    if (!std::isfinite(at)) return;
    r.overdue_at_s = at;
    overdue.emplace(at, h);
  }

  void enqueue(std::uint32_t h) {
    auto& r = tasks[h];
    if (classes[r.class_id].pending.insert(r.key).second) {
      index_by_model(r);
      ++pending;
      const double factor = finite_or(config.queue_aging_factor, 0.0);
      if (!r.key.aged && factor > 0.0) {
        r.ages_at_s = finite_or(last_now_s, 0.0) + factor * std::max(r.key.predicted_s, 1.0);
        if (std::isfinite(r.ages_at_s)) aging.emplace(r.ages_at_s, h);
      }
    }
  }

  /// Tasks that waited past their aging time while later submissions could
  /// overtake them move ahead of the un-aged ones (no starvation of short
  /// tasks behind a stream of longer ones).
  void promote_aged(double now_s) {
    while (!aging.empty() && aging.begin()->first <= now_s) {
      const auto h = aging.begin()->second;
      aging.erase(aging.begin());
      auto& r = tasks[h];
      r.ages_at_s = infinity;
      if (r.submitted_at_s < last_submission_s) age(h);
      else aging_parked.emplace_back(h, r.key.sequence);
    }
  }

  void age(std::uint32_t h) {
    auto& r = tasks[h];
    auto& pending_set = classes[r.class_id].pending;
    if (r.key.aged || pending_set.erase(r.key) == 0) return;
    unindex_by_model(r);
    r.key.aged = true;
    pending_set.insert(r.key);
    index_by_model(r);
  }

  /// A submission later than every earlier one: parked tasks can now be overtaken.
  void note_submission(double now_s) {
    if (!(now_s > last_submission_s)) return;
    last_submission_s = now_s;
    for (auto [h, sequence] : aging_parked)
      if (tasks[h].live && tasks[h].key.sequence == sequence && tasks[h].status == task_status::pending) age(h);
    aging_parked.clear();
  }

  /// A pending task with a model joins the lookahead's indexes (the
  /// undeferred one while no policy deferred it).
  void index_by_model(const task_record& r) {
    if (r.affinity_model == affinity_map::no_key || !warm_lookahead) return;
    pending_by_model[r.affinity_model].insert(r.key);
    if (r.first_deferred_at_s < 0.0) undeferred_by_model[r.affinity_model].insert(r.key);
  }
  void unindex_by_model(const task_record& r) {
    if (r.affinity_model == affinity_map::no_key || !warm_lookahead) return;
    if (auto it = pending_by_model.find(r.affinity_model); it != pending_by_model.end()) it->second.erase(r.key);
    if (auto it = undeferred_by_model.find(r.affinity_model); it != undeferred_by_model.end()) it->second.erase(r.key);
  }

  void forget_pending(task_record& r) {
    unindex_by_model(r);
    if (r.ages_at_s != infinity) aging.erase({r.ages_at_s, r.key.handle});
    r.ages_at_s = infinity;
    --pending;
  }

  void dequeue(std::uint32_t h) {
    auto& r = tasks[h];
    if (classes[r.class_id].pending.erase(r.key) > 0) {
      forget_pending(r);
    }
  }

  /// Forget a finished task's body (its id may be submitted again).
  void retire(std::uint32_t h) {
    auto& r = tasks[h];
    task_index.erase(r.body.id);
    r.live = false;
    r.body = task{};
    free_handles.push_back(h);
  }

  std::uint32_t find_task(const std::string& id) const {
    auto it = task_index.find(id);
    return it == task_index.end() ? no_handle : it->second;
  }

  // ---- decision context ----
  void begin_decision(const task& t, std::uint32_t handle) const {
    auto& c = context;
    c.t = &t;
    c.handle = handle;
    if (handle != no_handle && &tasks[handle].body == &t) {
      auto& r = tasks[handle];
      if (r.query_names != predictor.name_count()) {
        r.query = predictor.prepare(t.model, t.type, t.batch_size, accepts_gpu(t));
        r.query_names = predictor.name_count();
      }
      c.query = r.query;
    } else {
      c.query = predictor.prepare(t.model, t.type, t.batch_size, accepts_gpu(t));
    }
    if (handle != no_handle) {
      c.affinity_model = tasks[handle].affinity_model;
      c.specialization_family = tasks[handle].specialization_family;
    } else {
      c.affinity_model = affinity.find_model(t.model);
      c.specialization_family = specialization.find_family(specialization_family(t.model));
    }
    c.deferred_ahead = 0;
    c.ending_turn = std::numeric_limits<std::size_t>::max();
    c.profiles = {};
    c.avoided = no_avoided;
    if (c.duration_s.size() < profiles.size()) {
      c.duration_s.resize(profiles.size());
      c.level.resize(profiles.size());
      c.stamp.resize(profiles.size(), 0);
    }
    if (++c.generation == 0) {
      std::fill(c.stamp.begin(), c.stamp.end(), 0);
      c.generation = 1;
    }
  }
  void end_decision() const { context.t = nullptr; }

  double predicted_duration(const task& t, std::size_t wi) const { return predicted_on(t, wi).seconds; }

  prediction predicted_on(const task& t, std::size_t wi) const {
    const auto& w = workers[wi];
    if (context.t != &t) return predictor.predict(t, w.cap);
    const auto pc = w.profile;
    if (context.stamp[pc] != context.generation) {
      const auto p = predictor.predict(context.query, w.device_key, w.cap.kind, w.cap.speed);
      context.duration_s[pc] = p.seconds;
      context.level[pc] = p.level;
      context.stamp[pc] = context.generation;
    }
    return {context.duration_s[pc], context.level[pc], 0};
  }

  double slot_free_in(std::size_t wi, double now_s) const {
    const auto& w = workers[wi];
    if (w.running < w.slots) return 0.0;
    if (w.running_tasks.empty()) return infinity;  // zero slots: never frees
    return std::max(0.0, w.earliest_end_s - now_s);
  }

  /// Places pending task h (already out of its class's queue) on worker w.
  void place(std::uint32_t h, std::size_t w, double now_s, double score, const prediction& predicted_p,
             std::vector<assignment>& out) {
    const double predicted = predicted_p.seconds;
    const bool from_history = predicted_p.level != prediction_level::default_estimate;
    auto& r = tasks[h];
    auto& wr = workers[w];
    // Affinity bookkeeping before the model becomes warm there.
    if (r.affinity_model != affinity_map::no_key) {
      ++affinity_counts.placements;
      const double a = affinity.value(wr.affinity_key, r.affinity_model);
      if (a >= affinity_map::same_model_value) ++affinity_counts.same_model_hits;
      else if (a >= affinity_map::same_family_value) ++affinity_counts.same_family_hits;
      else if (a > 0.0) ++affinity_counts.learned_link_hits;
      touch_affinity(w, r.affinity_model, false);
    }
    forget_pending(r);
    r.worker = static_cast<int>(w);
    r.placed_at_s = finite_or(now_s, 0.0);
    r.predicted_s = predicted;
    r.predicted_from_history = from_history;
    r.predicted_level = predicted_p.level;
    r.predicted_p90_s = predictor.p90_seconds(predicted, predicted_p.level);
    r.avoid_worker = affinity_map::no_key;
    r.first_deferred_at_s = -1.0;
    set_status(r, task_status::assigned);
    occupy(w, h);
    mark_overdue_time(h);
    mark_censor_check(h, r.placed_at_s + std::max({2.0 * predicted, r.predicted_p90_s, 1.0}));
    ++decisions;
    out.push_back({r.body.id, wr.cap.id, finite_or(score, 0.0), finite_or(predicted, 0.0), false, from_history,
                   finite_or(r.predicted_p90_s, 0.0)});
  }

  // ---- deferral certificates (see deferral_certificate.hpp) ----
  /// After the policy deferred task h of class c as the class's `step`-th
  /// deferral in this call, `ahead` tasks into its queue: keep its bound.
  /// Call inside the decision (the context holds h's query).
  void certify_deferral(std::uint32_t c, std::uint32_t h, std::size_t step, std::size_t ahead) {
    auto& cls = classes[c];
    if (cls.certificates.size() <= step) cls.certificates.resize(step + 1);
    auto& cert = cls.certificates[step];
    cert.active = false;
    const auto bound = policy->last_deferral_bound();
    if (!bound || config.keep_explanations > 0 || context.avoided != no_avoided || context.handle != h) return;
    // Reserved profiles change the policy's candidates with the queue, not
    // with the predictions the certificate keeps: no certificate then.
    if (any_exclusive_pending()) return;
    cert.active = true;
    cert.head = h;
    cert.ahead = ahead;
    cert.structure_changes = structure_changes;
    cert.bound = *bound;
    cert.query = context.query;
    cert.names = predictor.name_count();
    cert.profiles.resize(cls.profiles.size());
    for (std::size_t k = 0; k < cls.profiles.size(); ++k) {
      // The decision's own predictions where it made them.
      const auto pc = cls.profiles[k];
      const auto& w = workers[profiles[pc].members.front()];
      if (context.stamp[pc] != context.generation) predicted_duration(tasks[h].body, profiles[pc].members.front());
      const auto level = context.level[pc];
      cert.profiles[k] = {context.duration_s[pc], level, predictor.change_stamp(cert.query, w.device_key, w.cap.kind, level)};
    }
    // A profile predicted past the timeout is left by the policy's own rule.
    for (const auto& kept : cert.profiles)
      if (kept.duration_s > tasks[h].body.timeout_s) cert.active = false;
  }

  /// The busy count that decides a deferral's effect, `ahead` tasks into its
  /// class's turn: at least the tasks left in the turn (it ends), or the
  /// bound's limit (it passes over exactly limit - ahead).
  static std::size_t required_count(const deferral_bound& bound, std::size_t ahead, std::size_t ending_turn) {
    return std::min(bound.limit, ahead + ending_turn);
  }

  /// When class c's certificate for its `step`-th deferral proves that the
  /// policy would defer task h (`ahead` tasks into the queue, none of its
  /// workers avoided) with the same effect now: how many tasks that deferral
  /// passes over; 0 otherwise. Counts the busy workers again (with the kept
  /// predictions): that count moves with time. The rest of the queue may
  /// have changed: the decision reads only the task, its position and the
  /// tasks left in the turn.
  std::size_t certified_pass_over(std::uint32_t c, std::uint32_t h, std::size_t step, std::size_t ahead,
                                  std::size_t ending_turn, std::size_t avoided, double now_s) const {
    const auto& cls = classes[c];
    if (step >= cls.certificates.size()) return 0;
    const auto& cert = cls.certificates[step];
    if (!cert.active || cert.head != h || cert.ahead != ahead || avoided != no_avoided ||
        cert.structure_changes != structure_changes || cert.names != predictor.name_count() ||
        config.keep_explanations > 0)
      return 0;
    if (any_exclusive_pending()) return 0;
    // The same predictions: the task in that place is one like the certified one.
    const auto& q = tasks[h].query;
    if (tasks[h].query_names != cert.names || q.model != cert.query.model || q.family != cert.query.family ||
        q.type != cert.query.type || q.batch_size != cert.query.batch_size || q.gpu_capable != cert.query.gpu_capable)
      return 0;
    const std::size_t required = required_count(cert.bound, ahead, ending_turn);
    if (required <= ahead) return 0;
    const auto& r = tasks[h];
    // As scheduler_view::deferred_for_s.
    const double deferred_for =
        r.first_deferred_at_s < 0.0 ? 0.0 : std::max(0.0, finite_or(now_s - r.first_deferred_at_s, 0.0));
    if (deferred_for > cert.bound.max_deferred_for_s) return 0;
    bool uniform = true;  // every free candidate profile predicted exactly fastest_free_s
    for (std::size_t k = 0; k < cls.profiles.size(); ++k) {
      const auto& profile = profiles[cls.profiles[k]];
      const auto& kept = cert.profiles[k];
      if (!profile.free_members.empty()) {
        if (kept.duration_s < cert.bound.fastest_free_s) return 0;
        uniform = uniform && kept.duration_s == cert.bound.fastest_free_s;
      }
      const auto& w = workers[profile.members.front()];
      if (predictor.change_stamp(cert.query, w.device_key, w.cap.kind, kept.level) != kept.stamp) return 0;
    }
    // The predictions are the kept ones: the decision context serves them.
    begin_decision(r.body, h);
    for (std::size_t k = 0; k < cls.profiles.size(); ++k) {
      context.duration_s[cls.profiles[k]] = cert.profiles[k].duration_s;
      context.level[cls.profiles[k]] = cert.profiles[k].level;
      context.stamp[cls.profiles[k]] = context.generation;
    }
    const auto sooner = scheduler_view{*owner}.busy_finishing_within(r.body, now_s, cert.bound.within_s, required);
    end_decision();
    if (sooner >= required) return required - ahead;
    // Below the required count the answer is exact; with the window exactly
    // the bound's, so is the policy's pass-over.
    return uniform && sooner > ahead ? sooner - ahead : 0;
  }

  // ---- backup attempts ----
  /// Starts backups of overdue first attempts (most overdue first) on slots
  /// nothing pending waits for (the caller only asks with an empty queue),
  /// where a free feasible worker's p90 for the task is at most
  /// `backup_max_fraction` of the time the attempt has already run -- so the
  /// copy is expected to win clearly, not tie -- and the copy fits the
  /// budget: wasted slot time (cancelled losers) plus what this copy may
  /// waste (the time run so far plus its p90) stays within
  /// backup_budget_fraction of all slot time so far.
  void place_backups(double now_s, std::vector<assignment>& out) {
    const double fraction = std::clamp(finite_or(config.backup_max_fraction, 0.0), 0.0, 1.0);
    if (fraction <= 0.0) return;
    const double budget_fraction = std::max(0.0, finite_or(config.backup_budget_fraction, 0.0));
    int checks = std::max(1, config.max_backup_checks);
    double busy = -1.0;  // busy_slot_s(now), computed once when needed
    double charged_s = 0.0;  // what the copies started here may waste
    for (auto it = overdue.begin(); it != overdue.end() && it->first <= now_s && checks-- > 0;) {
      const std::uint32_t h = it->second;
      auto& r = tasks[h];
      ++it;  // r's entry may be erased below
      const auto& cls = classes[r.class_id];
      if (cls.free_feasible <= 0) continue;
      const double elapsed = now_s - r.placed_at_s;
      // The free feasible worker with the smallest p90 other than the first
      // attempt's; profiles in ascending order, members ascending: ties go
      // to the earliest registered.
      begin_decision(r.body, h);
      std::size_t best = 0;
      double best_p90 = infinity;
      prediction best_p;
      for (auto p : cls.profiles) {
        for (std::size_t w : profiles[p].free_members) {
          if (static_cast<int>(w) == r.worker) continue;
          const auto d = predicted_on(r.body, w);
          const double p90 = predictor.p90_seconds(d.seconds, d.level);
          if (p90 < best_p90 || (p90 == best_p90 && w < best)) {
            best_p90 = p90;
            best = w;
            best_p = d;
          }
          break;  // one prediction per profile: its first free member stands for it
        }
      }
      end_decision();
      // Eligible once the attempt has run best_p90 / fraction; compared as a
      // time (with a rounding allowance), so a wake-up set for that moment
      // finds it eligible.
      const double eligible_at_s = r.placed_at_s + best_p90 / fraction;
      if (!std::isfinite(best_p90)) continue;
      if (now_s < eligible_at_s - 1e-9 * std::max(1.0, std::abs(eligible_at_s))) {
        wakeup_s = std::min(wakeup_s, eligible_at_s);  // if the worker is still free then
        continue;
      }
      if (busy < 0.0) busy = busy_slot_s(now_s);
      // What this copy may waste: its own time if the first attempt wins,
      // the first attempt's time (already `elapsed`, and more until the copy
      // ends) if it wins. Charged in full, with what copies started in this
      // call may waste, so cancelled time stays within the budget.
      const double charge = elapsed + best_p90;
      if (const double short_s = backup_wasted_s + charged_s + charge - budget_fraction * busy; short_s > 0.0) {
        // Over budget: the attempt runs alone for now. Each second the budget
        // grows by the fraction of the running attempts' slot time (at
        // least) and the charge by one: look again when it could fit (if
        // ever without another event).
        if (const double gain = budget_fraction * static_cast<double>(running) - 1.0; gain > 0.0)
          wakeup_s = std::min(wakeup_s, now_s + short_s / gain);
        continue;
      }
      charged_s += charge;
      unmark_overdue(r, h);
      auto& wr = workers[best];
      if (r.affinity_model != affinity_map::no_key) touch_affinity(best, r.affinity_model, false);
      const bool from_history = best_p.level != prediction_level::default_estimate;
      r.backup_worker = static_cast<int>(best);
      r.backup_placed_at_s = finite_or(now_s, 0.0);
      r.backup_predicted_s = best_p.seconds;
      r.backup_predicted_from_history = from_history;
      r.backup_predicted_level = best_p.level;
      r.backup_predicted_p90_s = best_p90;
      occupy(best, h);
      ++backups_started;
      if (config.keep_explanations > 0) {
        decision_explanation e;
        e.task_id = r.body.id;
        e.policy = std::string{policy->name()};
        e.winner = wr.cap.id;
        e.outcome = "backup: the attempt on " + workers[static_cast<std::size_t>(r.worker)].cap.id + " has run " +
                    std::to_string(elapsed) + " s against " + std::to_string(r.predicted_s) + " s predicted; " +
                    wr.cap.id + " is predicted to need " + std::to_string(best_p.seconds) + " s (p90 " +
                    std::to_string(best_p90) + " s)";
        keep_explanation(std::move(e));
      }
      out.push_back({r.body.id, wr.cap.id, 0.0, finite_or(best_p.seconds, 0.0), true, from_history,
                     finite_or(best_p90, 0.0)});
    }
  }

  /// The next first attempt to become overdue after now is a wake-up time.
  void note_next_overdue(double now_s) {
    auto it = overdue.upper_bound({now_s, std::numeric_limits<std::uint32_t>::max()});
    if (it != overdue.end()) wakeup_s = std::min(wakeup_s, it->first);
  }

  // ---- explanation ----
  decision_explanation explain_task(const task& t, std::uint32_t handle, double now_s) const {
    decision_explanation e;
    e.task_id = t.id;
    e.policy = std::string{policy->name()};
    scheduler_view view{*owner};
    begin_decision(t, handle);
    std::vector<std::size_t> free_list, busy_list;
    for (std::size_t i = 0; i < workers.size(); ++i) {
      candidate_explanation c;
      if (auto reason = first_rejection(t.requirements, workers[i].cap)) {
        c.worker_id = workers[i].cap.id;
        c.rejection = *reason;
        e.candidates.push_back(std::move(c));
        continue;
      }
      const bool free = workers[i].running < workers[i].slots;
      (free ? free_list : busy_list).push_back(i);
      c = policy->explain(t, i, view, now_s);
      c.worker_id = workers[i].cap.id;
      c.feasible = true;
      c.has_free_slot = free;
      if (!free) c.rejection = *check_free_slot(workers[i].running, workers[i].slots);
      e.candidates.push_back(std::move(c));
    }
    if (free_list.empty() && busy_list.empty()) {
      e.outcome = "unplaceable: no worker passes the filters";
    } else if (free_list.empty()) {
      e.outcome = "waiting: every compatible worker is busy";
    } else {
      begin_decision(t, handle);
      auto choice = policy->preview(t, free_list, busy_list, view, now_s);
      if (choice) {
        e.winner = workers[*choice].cap.id;
        e.outcome = "placed";
      } else {
        e.outcome = "deferred: a busy compatible worker is predicted to finish it sooner";
      }
    }
    end_decision();
    return e;
  }

  void keep_explanation(decision_explanation e) {
    if (config.keep_explanations == 0) return;
    auto it = explanations.find(e.task_id);
    if (it != explanations.end()) {
      it->second = std::move(e);
      return;
    }
    explanation_order.push_back(e.task_id);
    explanations.emplace(e.task_id, std::move(e));
    while (explanation_order.size() > config.keep_explanations) {
      explanations.erase(explanation_order.front());
      explanation_order.pop_front();
    }
  }

  scheduler_core* owner = nullptr;
};

// ---------------------------------------------------------------- view

std::size_t scheduler_view::worker_count() const { return core_.impl_->workers.size(); }
const worker_capability& scheduler_view::worker(std::size_t index) const { return core_.impl_->workers.at(index).cap; }
int scheduler_view::running(std::size_t index) const { return core_.impl_->workers.at(index).running; }
int scheduler_view::slots(std::size_t index) const { return core_.impl_->workers.at(index).slots; }
double scheduler_view::predicted_slot_free_in_s(std::size_t index, double now_s) const {
  return core_.impl_->slot_free_in(index, now_s);
}
double scheduler_view::predicted_duration_s(const task& t, std::size_t index) const {
  return core_.impl_->predicted_duration(t, index);
}
const execution_predictor& scheduler_view::predictor() const { return core_.impl_->predictor; }
const affinity_map& scheduler_view::affinity() const { return core_.impl_->affinity; }
const specialization_tracker& scheduler_view::specialization() const { return core_.impl_->specialization; }
const scheduler_config& scheduler_view::config() const { return core_.impl_->config; }
const worker_metrics& scheduler_view::metrics(std::size_t index) const { return core_.impl_->workers.at(index).metrics; }

double scheduler_view::affinity_value(const task& t, std::size_t index) const {
  const auto& i = *core_.impl_;
  const auto model = i.context.t == &t ? i.context.affinity_model : i.affinity.find_model(t.model);
  return i.affinity.value(i.workers.at(index).affinity_key, model);
}

double scheduler_view::specialization_value(const task& t, std::size_t index) const {
  const auto& i = *core_.impl_;
  const auto family = i.context.t == &t ? i.context.specialization_family
                                        : i.specialization.find_family(specialization_family(t.model));
  return i.specialization.value(i.workers.at(index).specialization_key, t.type, family);
}

double scheduler_view::waiting_s(const task& t, double now_s) const {
  const auto& i = *core_.impl_;
  std::uint32_t h = i.context.t == &t ? i.context.handle : i.find_task(t.id);
  if (h == no_handle) return 0.0;
  return std::max(0.0, finite_or(now_s - i.tasks[h].submitted_at_s, 0.0));
}

double scheduler_view::deferred_for_s(const task& t, double now_s) const {
  const auto& i = *core_.impl_;
  std::uint32_t h = i.context.t == &t ? i.context.handle : i.find_task(t.id);
  if (h == no_handle || i.tasks[h].first_deferred_at_s < 0.0) return 0.0;
  return std::max(0.0, finite_or(now_s - i.tasks[h].first_deferred_at_s, 0.0));
}

std::span<const std::uint32_t> scheduler_view::decision_profiles(const task& t) const {
  const auto& i = *core_.impl_;
  return i.context.t == &t ? i.context.profiles : std::span<const std::uint32_t>{};
}

std::span<const std::size_t> scheduler_view::free_members(std::uint32_t profile) const {
  return core_.impl_->profiles.at(profile).free_members;
}

std::optional<std::size_t> scheduler_view::avoided_worker(const task& t) const {
  const auto& i = *core_.impl_;
  if (i.context.t != &t || i.context.avoided == no_avoided) return std::nullopt;
  return i.context.avoided;
}

const profile_member_order& scheduler_view::member_order() const { return core_.impl_->member_order; }

bool scheduler_view::reserved(const task& t, std::uint32_t profile) const {
  auto& i = *core_.impl_;
  if (i.context.t != &t || i.context.handle == no_handle) return false;
  return i.reserved(t, i.tasks[i.context.handle].class_id, profile, i.context.avoided);
}

std::uint32_t scheduler_view::profile_of(std::size_t index) const { return core_.impl_->workers.at(index).profile; }

double scheduler_view::predicted_profile_duration_s(const task& t, std::uint32_t profile) const {
  const auto& i = *core_.impl_;
  const auto& members = i.profiles.at(profile).members;
  return members.empty() ? infinity : i.predicted_duration(t, members.front());
}

std::uint32_t scheduler_view::affinity_model_key(const task& t) const {
  const auto& i = *core_.impl_;
  return i.context.t == &t ? i.context.affinity_model : i.affinity.find_model(t.model);
}

std::uint32_t scheduler_view::specialization_family_key(const task& t) const {
  const auto& i = *core_.impl_;
  return i.context.t == &t ? i.context.specialization_family
                           : i.specialization.find_family(specialization_family(t.model));
}

std::size_t scheduler_view::deferred_ahead(const task& t) const {
  const auto& i = *core_.impl_;
  return i.context.t == &t ? i.context.deferred_ahead : 0;
}

std::size_t scheduler_view::pass_over_ending_turn(const task& t) const {
  const auto& i = *core_.impl_;
  return i.context.t == &t ? i.context.ending_turn : std::numeric_limits<std::size_t>::max();
}

std::size_t scheduler_view::busy_finishing_within(const task& t, double now_s, double within_s,
                                                  std::size_t limit) const {
  const auto& i = *core_.impl_;
  if (!(within_s > 0.0) || limit == 0) return 0;
  std::size_t count = 0;
  auto count_profile = [&](std::uint32_t p) {
    const auto& profile = i.profiles[p];
    if (profile.full_by_end.empty()) return;
    const double d = i.predicted_duration(t, profile.full_by_end.front().second);
    if (!(d < within_s)) return;
    // A slot predicted to free by `end` frees in end - now; one already past
    // it has overrun its prediction and is expected to need as long again
    // as it has overrun (now - end): a worker stuck far past its prediction
    // stops counting instead of holding tasks back forever.
    // free_in + d < within  <=>  now - (within - d) < end < now + (within - d).
    const double slack = within_s - d;
    const auto at = [&](double v) {
      return std::lower_bound(profile.full_by_end.begin(), profile.full_by_end.end(), std::pair{v, std::size_t{0}});
    };
    const auto first = at(std::nextafter(now_s - slack, infinity));
    const auto due = at(now_s);
    const auto end = at(now_s + slack);
    // Each such worker finishes floor((within - free_in) / d) tasks like t
    // in the window, one after another. That count is monotone along the
    // end-time order on each side of now, so equal counts come in runs: sum
    // them run by run.
    const auto tasks_in_window = [&](const std::pair<double, std::size_t>& entry) {
      const double free_in = std::abs(entry.first - now_s);
      return std::max<std::size_t>(1, static_cast<std::size_t>(std::min((within_s - free_in) / d, 1e6)));
    };
    const auto sum_runs = [&](auto it, auto stop) {
      while (it != stop && count < limit) {
        const std::size_t each = tasks_in_window(*it);
        const auto run_end = std::partition_point(it, stop, [&](const auto& e) { return tasks_in_window(e) == each; });
        count += each * static_cast<std::size_t>(run_end - it);
        it = run_end;
      }
    };
    if (first < due) sum_runs(first, due);
    sum_runs(due, end);
  };
  if (i.context.t == &t && i.context.handle != no_handle) {
    for (auto p : i.classes[i.tasks[i.context.handle].class_id].profiles) {
      count_profile(p);
      if (count >= limit) return limit;
    }
    return count;
  }
  for (std::uint32_t p = 0; p < i.profiles.size(); ++p) {
    if (first_rejection(t.requirements, i.profiles[p].representative)) continue;
    count_profile(p);
    if (count >= limit) return limit;
  }
  return count;
}

std::optional<std::string> scheduler_view::rejection(const task& t, std::size_t index) const {
  return first_rejection(t.requirements, core_.impl_->workers.at(index).cap);
}

double scheduler_view::best_free_predicted_finish_s(const task& t, double) const {
  const auto& i = *core_.impl_;
  double best = 0.0;
  for (std::size_t w = 0; w < i.workers.size(); ++w) {
    if (i.workers[w].running >= i.workers[w].slots) continue;
    if (first_rejection(t.requirements, i.workers[w].cap)) continue;
    const double d = i.predicted_duration(t, w);
    if (best == 0.0 || d < best) best = d;
  }
  return best;
}

// ---------------------------------------------------------------- core

scheduler_core::scheduler_core(scheduler_config config, std::unique_ptr<placement_policy> policy)
  : impl_(std::make_unique<impl>(std::move(config), std::move(policy))) {
  impl_->owner = this;
}
scheduler_core::~scheduler_core() = default;
scheduler_core::scheduler_core(scheduler_core&& other) noexcept : impl_(std::move(other.impl_)) {
  if (impl_) impl_->owner = this;
}
scheduler_core& scheduler_core::operator=(scheduler_core&& other) noexcept {
  impl_ = std::move(other.impl_);
  if (impl_) impl_->owner = this;
  return *this;
}

void scheduler_core::add_worker(worker_capability worker) {
  auto& i = *impl_;
  if (worker.id.empty()) throw std::invalid_argument("worker id is empty");
  if (i.worker_index.count(worker.id)) throw std::invalid_argument("duplicate worker id '" + worker.id + "'");
  if (!std::isfinite(worker.speed) || worker.speed <= 0.0) worker.speed = 1.0;
  impl::worker_record w;
  w.slots = placement_capacity(worker, i.config);
  w.run_slots = configured_slots(worker, i.config);
  w.affinity_key = i.affinity.worker_key(worker.id);
  i.affinity.forget_worker(w.affinity_key);  // a re-registered id starts cold
  w.specialization_key = i.specialization.worker_key(worker.id);
  w.device_key = i.predictor.device_key(worker.name);
  const std::size_t index = i.workers.size();
  w.profile = i.profile_of(worker);
  w.cap = std::move(worker);
  auto& profile = i.profiles[w.profile];
  profile.members.push_back(index);
  profile.total_slots += std::max(0, w.slots);
  if (w.slots > 0) profile.free_members.push_back(index);
  for (auto c : profile.classes) {
    i.classes[c].feasible.push_back(index);
    if (w.slots > 0) ++i.classes[c].free_feasible;
  }
  i.worker_index.emplace(w.cap.id, index);
  i.capabilities.push_back(w.cap);
  i.workers.push_back(std::move(w));
  i.add_to_member_order(index);
  ++i.structure_changes;
}

std::vector<std::string> scheduler_core::remove_worker(const std::string& worker_id) {
  auto& i = *impl_;
  auto it = i.worker_index.find(worker_id);
  if (it == i.worker_index.end()) return {};
  const std::size_t index = it->second;
  // Requeue what ran there, in submission order.
  auto handles = i.workers[index].running_tasks;
  std::sort(handles.begin(), handles.end(),
            [&](auto a, auto b) { return i.tasks[a].key.sequence < i.tasks[b].key.sequence; });
  std::vector<std::string> requeued;
  for (auto h : handles) {
    auto& r = i.tasks[h];
    // A task with another attempt elsewhere keeps running there.
    if (r.backup_worker == static_cast<int>(index)) {
      i.drop_backup(h, i.last_now_s);
      continue;
    }
    if (r.backup_worker != no_worker) {
      i.promote_backup(h, i.last_now_s);
      continue;
    }
    i.vacate(h, i.last_now_s);
    i.set_status(r, task_status::pending);
    i.enqueue(h);
    requeued.push_back(r.body.id);
  }
  i.affinity.forget_worker(i.workers[index].affinity_key);
  i.workers.erase(i.workers.begin() + static_cast<std::ptrdiff_t>(index));
  i.capabilities.erase(i.capabilities.begin() + static_cast<std::ptrdiff_t>(index));
  i.worker_index.clear();
  // Indices above the removed worker move down by one; a task with a backup
  // sits in two running lists, so shift each attempt once, by where it runs.
  for (std::size_t w = 0; w < i.workers.size(); ++w) {
    i.worker_index.emplace(i.workers[w].cap.id, w);
    const int old_index = w >= index ? static_cast<int>(w) + 1 : static_cast<int>(w);
    for (auto h : i.workers[w].running_tasks) {
      auto& r = i.tasks[h];
      if (r.worker == old_index) r.worker = static_cast<int>(w);
      else if (r.backup_worker == old_index) r.backup_worker = static_cast<int>(w);
    }
  }
  i.rebuild_profiles_and_classes();
  ++i.structure_changes;
  return requeued;
}

void scheduler_core::update_metrics(const std::string& worker_id, const worker_metrics& metrics) {
  auto& i = *impl_;
  auto it = i.worker_index.find(worker_id);
  if (it == i.worker_index.end()) return;
  worker_metrics m = metrics;
  auto clean = [](std::optional<double>& v, double lo, double hi) {
    if (v && !std::isfinite(*v)) v.reset();
    if (v) *v = std::clamp(*v, lo, hi);
  };
  clean(m.utilization, 0.0, 1.0);
  clean(m.temperature_c, -100.0, 1000.0);
  clean(m.power_w, 0.0, 1e6);
  clean(m.power_limit_w, 0.0, 1e6);
  i.workers[it->second].metrics = m;
  i.member_order.set_has_metrics(it->second, impl::has_any_metric(m));
}

void scheduler_core::submit(task t, double now_s) {
  auto& i = *impl_;
  if (t.id.empty()) throw std::invalid_argument("task id is empty");
  if (auto existing = i.find_task(t.id); existing != no_handle) {
    if (!is_final(i.tasks[existing].status)) throw std::invalid_argument("duplicate task id '" + t.id + "'");
    i.retire(existing);  // a finished attempt kept for requeue: the new submission replaces it
  }
  i.observe(now_s);
  // Sequence: the caller's when given (non-zero), else the next after the largest seen.
  if (t.sequence == 0) t.sequence = i.next_sequence;
  i.next_sequence = std::max(i.next_sequence, t.sequence + 1);

  std::uint32_t h;
  if (!i.free_handles.empty()) {
    h = i.free_handles.back();
    i.free_handles.pop_back();
  } else {
    h = static_cast<std::uint32_t>(i.tasks.size());
    i.tasks.emplace_back();
  }
  auto& r = i.tasks[h];
  r = impl::task_record{};
  r.live = true;
  r.submitted_at_s = finite_or(now_s, 0.0);
  r.class_id = i.class_of(t.requirements);
  const auto family = model_family(t.model);
  i.family_distribution[t.model.empty() ? "none" : family.empty() ? "other" : std::string{family}]++;
  if (!t.model.empty()) r.affinity_model = i.affinity.model_key(t.model);
  r.specialization_family = i.specialization.family_key(specialization_family(t.model));
  r.key = queue_key{t.priority, i.predictor.predict(t).seconds, t.sequence, h};
  i.note_submission(r.submitted_at_s);
  r.body = std::move(t);
  r.status = task_status::pending;
  i.count_status(r, bucket(task_status::pending), +1);
  i.task_index.emplace(r.body.id, h);
  i.enqueue(h);
}

void scheduler_core::requeue(const std::string& task_id, const std::string& avoid_worker_id, double now_s) {
  auto& i = *impl_;
  const auto h = i.find_task(task_id);
  if (h == no_handle) throw std::invalid_argument("requeue: unknown task '" + task_id + "'");
  auto& r = i.tasks[h];
  i.observe(now_s);
  if (r.status == task_status::pending) i.dequeue(h);
  if (r.worker != no_worker) i.vacate(h, now_s);
  r.avoid_worker = avoid_worker_id.empty() ? affinity_map::no_key : i.affinity.find_worker(avoid_worker_id);
  i.set_status(r, task_status::pending);
  i.enqueue(h);
}

bool scheduler_core::cancel(const std::string& task_id) {
  auto& i = *impl_;
  const auto h = i.find_task(task_id);
  if (h == no_handle || is_final(i.tasks[h].status)) return false;
  auto& r = i.tasks[h];
  if (r.status == task_status::pending) i.dequeue(h);
  if (r.worker != no_worker) i.vacate(h, i.last_now_s);
  i.set_status(r, task_status::cancelled);
  i.retire(h);
  return true;
}

std::vector<assignment> scheduler_core::schedule(double now_s) {
  auto& i = *impl_;
  i.observe(now_s);
  std::vector<assignment> out;
  i.wakeup_s = infinity;
  if (i.workers.empty()) return out;
  // Backups only take slots nothing pending waits for: a copy never delays
  // work that has not started.
  i.learn_running_lower_bounds(now_s);
  const bool overdue_now = !i.overdue.empty() && i.overdue.begin()->first <= now_s;
  i.promote_aged(now_s);
  if (i.pending == 0) {
    if (overdue_now) i.place_backups(now_s, out);
    i.note_next_overdue(now_s);
    return out;
  }
  scheduler_view view{*this};
  const int max_deferrals = std::max(1, i.config.max_deferrals_per_class);
  const bool wants_busy = i.policy->wants_busy_feasible();
  const bool wants_free = i.policy->wants_free_feasible();

  // Per call: each class's cursor (first task not yet passed over in this call).
  struct cursor_state {
    decltype(impl::requirement_class::pending)::iterator at;
    std::size_t passed = 0;  // tasks of the class held back in this call (ahead of the cursor)
    int deferrals = 0;       // decisions that deferred
  };
  std::vector<cursor_state> cursors(i.classes.size());
  // Classes in play by the queue key of their cursor's task, smallest on top.
  // Free slots only shrink within a call, so a class found out of play stays out.
  auto& in_play = i.class_heap;
  in_play.clear();
  const auto later = [](const auto& a, const auto& b) { return b.first < a.first; };
  for (std::uint32_t c = 0; c < i.classes.size(); ++c)
    if (i.classes[c].free_feasible > 0 && !i.classes[c].pending.empty()) {
      cursors[c].at = i.classes[c].pending.begin();
      in_play.emplace_back(*cursors[c].at, c);
    }
  std::make_heap(in_play.begin(), in_play.end(), later);
  std::uint32_t last = no_handle;

  while (true) {
    // The class whose next task comes first in queue order, among classes
    // with a free feasible worker; the last one decided goes back in play
    // at its cursor's new task.
    std::uint32_t best = no_handle;
    if (last != no_handle) {
      const auto& cur = cursors[last];
      if (cur.at != i.classes[last].pending.end() && cur.deferrals < max_deferrals &&
          i.classes[last].free_feasible > 0) {
        // Keys in the heap never exceed their class's current key (a stale
        // one is re-keyed upward), so one below the top comes first: no heap
        // traffic.
        if (in_play.empty() || *cur.at < in_play.front().first) {
          best = last;
        } else {
          in_play.emplace_back(*cur.at, last);
          std::push_heap(in_play.begin(), in_play.end(), later);
        }
      }
    }
    while (!in_play.empty() && best == no_handle) {
      std::pop_heap(in_play.begin(), in_play.end(), later);
      const auto [key, c] = in_play.back();
      in_play.pop_back();
      if (i.classes[c].free_feasible <= 0 || cursors[c].at == i.classes[c].pending.end()) continue;
      if (cursors[c].at->handle != key.handle) {
        // The affinity lookahead took the task its entry was keyed by: re-key.
        in_play.emplace_back(*cursors[c].at, c);
        std::push_heap(in_play.begin(), in_play.end(), later);
        continue;
      }
      best = c;
    }
    if (best == no_handle) break;
    last = best;

    auto& cls = i.classes[best];
    auto& cur = cursors[best];
    const std::uint32_t h = cur.at->handle;
    auto& r = i.tasks[h];

    // Candidates. A requeued task avoids its last worker when another one is feasible.
    const bool avoid = r.avoid_worker != affinity_map::no_key && cls.feasible.size() > 1;
    std::size_t avoided = no_avoided;
    if (avoid)
      for (std::size_t w : cls.feasible)
        if (i.workers[w].affinity_key == r.avoid_worker) avoided = w;
    // Free candidates come from the feasible profiles' free lists (few in a
    // busy fleet); the flat lists are only built for policies that read them
    // (others walk the profiles through the view).
    i.free_scratch.clear();
    i.busy_scratch.clear();
    std::size_t free_count = 0;
    if (wants_free) {
      std::size_t contributing = 0;
      for (auto p : cls.profiles) {
        const auto& members = i.profiles[p].free_members;
        if (members.empty()) continue;
        ++contributing;
        i.free_scratch.insert(i.free_scratch.end(), members.begin(), members.end());
      }
      if (contributing > 1) std::sort(i.free_scratch.begin(), i.free_scratch.end());
      if (avoided != no_avoided) std::erase(i.free_scratch, avoided);
      free_count = i.free_scratch.size();
    } else {
      for (auto p : cls.profiles) free_count += i.profiles[p].free_members.size();
      if (avoided != no_avoided && i.workers[avoided].running < i.workers[avoided].slots) --free_count;
    }
    if (wants_busy && free_count > 0)
      for (std::size_t w : cls.feasible) {
        const auto& wr = i.workers[w];
        if (wr.running >= wr.slots && w != avoided) i.busy_scratch.push_back(w);
      }

    std::optional<std::size_t> choice;
    std::size_t pass_over = 1;
    const std::size_t ending_turn = cur.deferrals + 1 >= max_deferrals ? 1 : cls.pending.size() - cur.passed;
    // A deferral that its certificate still proves is repeated without
    // asking the policy.
    const auto step = static_cast<std::size_t>(cur.deferrals);
    const std::size_t certified =
        free_count > 0 ? i.certified_pass_over(best, h, step, cur.passed, ending_turn, avoided, now_s) : 0;
    if (free_count > 0 && certified == 0) {
      i.begin_decision(r.body, h);
      i.context.deferred_ahead = cur.passed;
      i.context.ending_turn = ending_turn;
      i.context.profiles = cls.profiles;
      i.context.avoided = avoided;
      choice = i.policy->choose(r.body, i.free_scratch, i.busy_scratch, view, now_s);
      const auto is_candidate = [&](std::size_t w) {
        if (wants_free) return std::binary_search(i.free_scratch.begin(), i.free_scratch.end(), w);
        return w < i.workers.size() && w != avoided && i.workers[w].running < i.workers[w].slots &&
               std::binary_search(cls.profiles.begin(), cls.profiles.end(), i.workers[w].profile);
      };
      if (choice && !is_candidate(*choice)) {
        i.end_decision();
        throw std::logic_error("policy '" + std::string{i.policy->name()} +
                               "' chose a worker without a free feasible slot");
      }
    }

    if (!choice) {
      if (free_count > 0) {
        ++i.deferrals;
        ++cur.deferrals;
        if (r.first_deferred_at_s < 0.0) {
          r.first_deferred_at_s = finite_or(now_s, 0.0);
          if (r.affinity_model != affinity_map::no_key && i.warm_lookahead)
            i.undeferred_by_model[r.affinity_model].erase(r.key);
        }
        if (certified > 0) {
          pass_over = certified;
        } else {
          pass_over = std::max<std::size_t>(1, i.policy->deferral_pass_over());
          i.certify_deferral(best, h, step, cur.passed);
        }
        if (i.config.keep_explanations > 0) i.keep_explanation(i.explain_task(r.body, h, now_s));
      }
      i.end_decision();
      // The tasks passed over stay pending; they are reconsidered next call.
      // A class out of deferrals is not visited again in this call, so its
      // cursor need not move; past the end it jumps (`passed` counts the
      // tasks before the cursor: placements erase at the cursor).
      if (cur.deferrals >= max_deferrals) continue;
      if (const std::size_t remaining = cls.pending.size() - cur.passed; pass_over >= remaining) {
        cur.at = cls.pending.end();
        cur.passed += remaining;
        continue;
      }
      cur.passed += pass_over;
      cur.at = cls.pending.find_by_order(cur.passed);
      continue;
    }

    const std::size_t w = *choice;
    // Affinity lookahead (delay scheduling): when the head task's model is not
    // warm on the chosen worker but a pending task of the same priority with a
    // model warm there can run on it, that task goes first; the head task
    // stays at the head for the next free worker, passed over at most
    // affinity_max_skips times.
    std::uint32_t warm_h = no_handle;
    if (i.warm_lookahead && r.affinity_skips < i.config.affinity_max_skips &&
        !(r.affinity_model != affinity_map::no_key &&
          i.affinity.value(i.workers[w].affinity_key, r.affinity_model) >= affinity_map::same_model_value)) {
      const auto& wr = i.workers[w];
      const queue_key* best = nullptr;
      for (auto model : i.affinity.recent_models(wr.affinity_key)) {
        // The model's pending tasks in queue order, up to the first of
        // another priority; deferred ones are never taken, so only the
        // undeferred ones are visited.
        auto all = i.pending_by_model.find(model);
        if (all == i.pending_by_model.end() || all->second.empty() || all->second.begin()->priority != r.key.priority)
          continue;
        auto it = i.undeferred_by_model.find(model);
        if (it == i.undeferred_by_model.end()) continue;
        for (const auto& k : it->second) {  // queue order: the first eligible one of the model
          if (k.priority != r.key.priority) break;
          const auto& p = i.tasks[k.handle];
          if (k.handle == h || p.avoid_worker == wr.affinity_key) continue;
          // Feasible: w's profile is one of its class's (sorted) feasible profiles.
          const auto& feasible_profiles = i.classes[p.class_id].profiles;
          if (!std::binary_search(feasible_profiles.begin(), feasible_profiles.end(), wr.profile)) continue;
          // Not ahead of tasks only this profile can run (the head task may be one).
          if (i.reserved(p.body, p.class_id, wr.profile, no_avoided)) continue;
          // Feasible on the free worker w, so its class was in play from the
          // start of this call and has a cursor: skip it if passed over.
          const auto& pc = cursors[p.class_id];
          if (pc.at == i.classes[p.class_id].pending.end() || k < *pc.at) continue;
          // Only where the worker is about as fast for it as any (a warm slow
          // worker would cost more than the load it saves).
          const double here = i.predictor.predict(p.body, wr.cap).seconds;
          bool near_best = true;
          for (auto q : i.classes[p.class_id].profiles)
            if (!i.profiles[q].members.empty() &&
                i.predictor.predict(p.body, i.profiles[q].representative).seconds * i.config.affinity_lookahead_slack < here) {
              near_best = false;
              break;
            }
          if (!near_best) break;
          if (!best || k < *best) best = &k;
          break;
        }
      }
      if (best) warm_h = best->handle;
    }
    if (warm_h != no_handle) {
      ++r.affinity_skips;
      ++i.affinity_lookaheads;
      i.end_decision();
      auto& p = i.tasks[warm_h];
      auto& pcls = i.classes[p.class_id];
      auto& pc = cursors[p.class_id];
      auto it = pcls.pending.find(p.key);
      const bool cursor_here = pc.at == it;
      auto next = pcls.pending.erase(it);
      if (cursor_here) pc.at = next;
      const auto predicted = i.predicted_on(p.body, w);
      const double score = i.policy->explain(p.body, w, view, now_s).total;
      if (i.config.keep_explanations > 0) {
        auto e = i.explain_task(p.body, warm_h, now_s);
        e.winner = i.workers[w].cap.id;
        e.outcome = "placed: its model is warm on " + i.workers[w].cap.id + ", ahead of " + r.body.id;
        i.keep_explanation(std::move(e));
      }
      i.place(warm_h, w, now_s, score, predicted, out);
      continue;  // the head task stays; the next iteration finds it a worker
    }
    const auto predicted = i.predicted_on(r.body, w);
    double score = 0.0;
    if (auto s = i.policy->last_choice_score()) score = *s;
    else score = i.policy->explain(r.body, w, view, now_s).total;
    if (i.config.keep_explanations > 0) {
      auto e = i.explain_task(r.body, h, now_s);
      e.winner = i.workers[w].cap.id;
      e.outcome = "placed";
      i.keep_explanation(std::move(e));
    }
    i.end_decision();
    cur.at = cls.pending.erase(cur.at);
    i.place(h, w, now_s, score, predicted, out);
  }
  i.note_next_overdue(now_s);
  return out;
}


std::optional<double> scheduler_core::next_wakeup_s() const {
  const auto& i = *impl_;
  if (!std::isfinite(i.wakeup_s) || i.wakeup_s <= i.last_now_s) return std::nullopt;
  return i.wakeup_s;
}

result_effect scheduler_core::record_result(const task_result& result, double now_s) {
  auto& i = *impl_;
  i.observe(now_s);
  const double duration = result.duration_s;
  const bool valid_duration = std::isfinite(duration) && duration >= 0.0;
  const task_status status = is_final(result.status) ? result.status : task_status::failed;
  const bool success = status == task_status::succeeded;

  const auto h = i.find_task(result.task_id);
  impl::task_record* r = (h != no_handle && i.tasks[h].live) ? &i.tasks[h] : nullptr;
  if (r && is_final(r->status)) r = nullptr;  // a late duplicate result: learn, do not recount
  // The losing attempt of a task with a backup was cancelled by the caller: nothing to learn.
  if (!r && status == task_status::cancelled) return {};

  result_effect effect;
  int wi = no_worker;
  const auto reporter = i.worker_index.find(result.worker_id);
  const bool from_backup = r && r->backup_worker != no_worker && reporter != i.worker_index.end() &&
                           static_cast<int>(reporter->second) == r->backup_worker;
  if (r && r->backup_worker != no_worker && !success) {
    // One of two attempts failed: the other keeps the task.
    wi = from_backup ? r->backup_worker : r->worker;
    if (from_backup) i.drop_backup(h, now_s);
    else i.promote_backup(h, now_s);
    effect.still_running = true;
  } else if (r && r->worker != no_worker) {
    const int other = r->backup_worker == no_worker ? no_worker : from_backup ? r->worker : r->backup_worker;
    if (success && valid_duration) {
      const bool from_history = from_backup ? r->backup_predicted_from_history : r->predicted_from_history;
      const prediction made{from_backup ? r->backup_predicted_s : r->predicted_s,
                            from_backup ? r->backup_predicted_level : r->predicted_level, 0,
                            from_backup ? r->backup_predicted_p90_s : r->predicted_p90_s};
      if (from_history) i.predictor.record_outcome(made, duration);
      else i.predictor.record_spread(made, duration);
      i.prediction_errors.record(made.seconds, duration, from_history);
    }
    if (success && other != no_worker && !from_backup) {
      // The copy lost: its slot time was spent for nothing.
      i.backup_wasted_s += std::max(0.0, finite_or(now_s - r->backup_placed_at_s, 0.0));
    }
    if (from_backup) {
      // The first attempt ran at least this long there: learn that as a
      // lower bound (a censored sample), so the slow worker stops drawing
      // such tasks; its slot time was spent for nothing.
      const double ran_s = now_s - r->placed_at_s;
      const auto& loser = i.workers[static_cast<std::size_t>(r->worker)];
      if (success && std::isfinite(ran_s) && ran_s > 0.0) {
        i.backup_wasted_s += ran_s;
        i.predictor.record_lower_bound(result.model, result.type, result.batch_size, loser.cap, ran_s);
        std::optional<double> normalized = ran_s / execution_predictor::batch_factor(result.batch_size);
        const auto loser_index = static_cast<std::size_t>(r->worker);
        i.member_order.before_history_change(loser_index, result.type, r->specialization_family);
        i.specialization.record(loser.specialization_key, result.type, r->specialization_family, true, normalized);
        i.member_order.after_history_change(loser_index, result.type, r->specialization_family);
      }
      i.promote_backup(h, now_s);  // the first attempt's slot is freed here
      ++i.backups_won;
    }
    if (other != no_worker) effect.cancel_on_worker = i.workers[static_cast<std::size_t>(other)].cap.id;
    wi = i.vacate(h, now_s);
  } else if (reporter != i.worker_index.end()) {
    wi = static_cast<int>(reporter->second);
  }

  if (wi != no_worker) {
    auto& w = i.workers[static_cast<std::size_t>(wi)];
    ++w.completed;
    if (success && valid_duration) i.predictor.record(result.model, result.type, result.batch_size, w.cap, duration);
    // A timeout is a lower bound on the run time there: the next prediction
    // for this worker is at least the timeout, so a worker that can finish
    // in time is preferred (see the intelligent policy).
    if (status == task_status::timed_out && valid_duration)
      i.predictor.record_lower_bound(result.model, result.type, result.batch_size, w.cap,
                                     duration * lower_bound_margin);
    const auto family = (r && r->body.model == result.model)
                            ? r->specialization_family
                            : i.specialization.family_key(specialization_family(result.model));
    std::optional<double> normalized;
    if (success && valid_duration) normalized = duration / execution_predictor::batch_factor(result.batch_size);
    const auto at = static_cast<std::size_t>(wi);
    i.member_order.before_history_change(at, result.type, family);
    i.specialization.record(w.specialization_key, result.type, family, success, normalized);
    i.member_order.after_history_change(at, result.type, family);
    if (success && !result.model.empty()) i.touch_affinity(at, i.affinity.model_key(result.model), true);
  }

  for (const auto& [name, value] : result.metrics)
    if (std::isfinite(value)) ++i.metric_counts[name];
  if (success && valid_duration) {
    const auto t = static_cast<std::size_t>(result.type);
    i.duration_sum_s[t] += std::min(duration, execution_predictor::max_seconds);
    ++i.duration_count[t];
  }

  if (r && !effect.still_running) {
    if (r->status == task_status::pending) i.dequeue(h);
    i.set_status(*r, status);
    // Failed and timed-out attempts keep their body for requeue().
    if (status == task_status::succeeded || status == task_status::cancelled) i.retire(h);
  }
  i.policy->on_result(result);
  return effect;
}

void scheduler_core::learn_from_history(const task_result& result, const worker_capability& worker) {
  auto& i = *impl_;
  const double duration = result.duration_s;
  const bool success = result.status == task_status::succeeded && std::isfinite(duration) && duration >= 0.0;
  if (success) i.predictor.record(result.model, result.type, result.batch_size, worker, duration);
  std::optional<double> normalized;
  if (success) normalized = duration / execution_predictor::batch_factor(result.batch_size);
  // A registered worker's member order follows its history.
  const auto registered = i.worker_index.find(worker.id);
  const std::size_t at = registered == i.worker_index.end() ? no_avoided : registered->second;
  const auto specialization_worker = i.specialization.worker_key(worker.id);
  const auto family = i.specialization.family_key(specialization_family(result.model));
  i.member_order.before_history_change(at, result.type, family);
  i.specialization.record(specialization_worker, result.type, family,
                          result.status == task_status::succeeded, normalized);
  i.member_order.after_history_change(at, result.type, family);
  if (success && !result.model.empty()) {
    const auto model = i.affinity.model_key(result.model);
    if (at != no_avoided) i.touch_affinity(at, model, true);
    else i.affinity.learn_success(i.affinity.worker_key(worker.id), model);
  }
}

void scheduler_core::release_planned(const std::string& task_id, double now_s) {
  auto& i = *impl_;
  const auto h = i.find_task(task_id);
  if (h == no_handle || i.tasks[h].worker == no_worker)
    throw std::invalid_argument("release_planned: task '" + task_id + "' is not placed");
  i.observe(now_s);
  auto& r = i.tasks[h];
  i.vacate(h, now_s);
  i.count_status(r, bucket(r.status), -1);
  i.count_status(r, planned_bucket, +1);
  r.status = task_status::succeeded;  // final for lifecycle purposes; counted as "planned"
  i.retire(h);
}

std::vector<unplaceable_task> scheduler_core::unplaceable() const {
  const auto& i = *impl_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> stuck;  // sequence, handle
  for (const auto& c : i.classes)
    if (c.feasible.empty())
      for (const auto& k : c.pending) stuck.emplace_back(k.sequence, k.handle);
  std::sort(stuck.begin(), stuck.end());
  std::vector<unplaceable_task> out;
  for (auto [seq, h] : stuck) {
    unplaceable_task u;
    u.task_id = i.tasks[h].body.id;
    for (const auto& w : i.workers)
      u.reasons.emplace_back(w.cap.id, first_rejection(i.tasks[h].body.requirements, w.cap).value_or(""));
    out.push_back(std::move(u));
  }
  return out;
}

std::size_t scheduler_core::pending_count() const { return impl_->pending; }
std::size_t scheduler_core::running_count() const { return impl_->running; }

std::optional<decision_explanation> scheduler_core::explanation(const std::string& task_id) const {
  auto it = impl_->explanations.find(task_id);
  if (it == impl_->explanations.end()) return std::nullopt;
  return it->second;
}

decision_explanation scheduler_core::explain_now(const task& t, double now_s) const {
  const auto h = impl_->find_task(t.id);
  const bool same = h != no_handle && &impl_->tasks[h].body == &t;
  return impl_->explain_task(t, same ? h : no_handle, now_s);
}

scheduler_stats scheduler_core::stats() const {
  const auto& i = *impl_;
  scheduler_stats s = stats_summary();
  s.specialization = i.specialization.entries();
  s.model_family_distribution = i.family_distribution;
  s.performance_metric_counts = i.metric_counts;
  return s;
}

scheduler_stats scheduler_core::stats_summary() const {
  const auto& i = *impl_;
  scheduler_stats s;
  s.policy = std::string{i.policy->name()};
  for (std::size_t t = 0; t < 3; ++t) {
    const std::string type{to_string(static_cast<task_type>(t))};
    for (std::size_t b = 0; b < status_buckets; ++b) {
      if (i.counts[t][b] == 0) continue;
      s.tasks_by_type_and_status[type][std::string{bucket_name(b)}] = i.counts[t][b];
      s.tasks_by_status[std::string{bucket_name(b)}] += i.counts[t][b];
    }
    if (i.duration_count[t] > 0)
      s.execution_time_by_type[type] = {i.duration_count[t],
                                        i.duration_sum_s[t] / static_cast<double>(i.duration_count[t])};
  }
  const double span = (std::isfinite(i.first_now_s) && std::isfinite(i.last_now_s)) ? i.last_now_s - i.first_now_s : 0.0;
  double busy_sum_s = 0.0, slot_sum = 0.0;
  for (const auto& w : i.workers) {
    worker_utilization u;
    u.worker_id = w.cap.id;
    u.running = w.running;
    u.slots = w.run_slots;
    u.busy_s = w.busy_s;
    for (auto h : w.running_tasks) u.busy_s += std::max(0.0, i.last_now_s - i.tasks[h].placed_at_s);
    u.busy_s = finite_or(u.busy_s, 0.0);
    u.utilization = slot_utilization(u.busy_s, span, w.run_slots);
    u.tasks_completed = w.completed;
    busy_sum_s += u.busy_s;
    slot_sum += std::max(0, w.run_slots);
    s.workers.push_back(std::move(u));
  }
  s.wall_s = std::max(0.0, span);
  s.utilization = slot_utilization(busy_sum_s, span, slot_sum);
  s.affinity = i.affinity_counts;
  s.affinity.learned_links = i.affinity.learned_link_count();
  s.affinity.hit_rate = s.affinity.placements
                            ? static_cast<double>(s.affinity.same_model_hits) / static_cast<double>(s.affinity.placements)
                            : 0.0;
  s.predictions = i.prediction_errors.summary();
  s.decisions = i.decisions;
  s.deferrals = i.deferrals;
  s.backups_started = i.backups_started;
  s.backups_won = i.backups_won;
  s.backup_wasted_slot_s = i.backup_wasted_s;
  const auto accuracy = i.predictor.accuracy();
  s.predictions.p90_samples = accuracy.p90_samples;
  s.predictions.at_or_under_p90 = accuracy.at_or_under_p90;
  s.affinity.lookaheads = i.affinity_lookaheads;
  s.pending = i.pending;
  s.running = i.running;
  return s;
}

const scheduler_config& scheduler_core::config() const { return impl_->config; }
const execution_predictor& scheduler_core::predictor() const { return impl_->predictor; }
execution_predictor& scheduler_core::predictor() { return impl_->predictor; }
const affinity_map& scheduler_core::affinity() const { return impl_->affinity; }
const specialization_tracker& scheduler_core::specialization() const { return impl_->specialization; }
const std::vector<worker_capability>& scheduler_core::workers() const { return impl_->capabilities; }

} // namespace dtf
