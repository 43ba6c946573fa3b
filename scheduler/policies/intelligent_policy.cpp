// The "intelligent" policy: among the free feasible workers, the highest
// weighted sum of normalized terms wins (earliest registered on ties). With
// predictive scheduling and deferral on, the task is held back when busy
// feasible workers are predicted to finish it clearly sooner than the winner
// would (see should_defer) -- so heterogeneous fleets finish near the lower
// bound without starving anyone -- unless the task's predictions come from a
// noisy level (predictions_trusted), which also scores it without the
// predicted-finish term and the terms that term keeps in check
// (untrusted_config_). Two rules narrow the free candidates first:
// a profile that pending tasks can run nowhere else is left to them when the
// task has another good place (scheduler_view::reserved: scarcity), and a
// profile predicted to need longer than the task's timeout is left while
// another feasible profile can finish it in time (waiting for a busy one
// while one is predicted to finish it sooner than a free one would).
// Deterministic: no randomness, no hash-order iteration.
#include "scheduler/core/policy_hooks.hpp"
#include "scheduler/core/profile_member_order.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/policies/policy_factories.hpp"
#include "scheduler/terms/weighted_score.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace dtf {

namespace {

class intelligent_policy final : public placement_policy, public policy_hooks {
public:
  explicit intelligent_policy(const scheduler_config& config) : config_(config), untrusted_config_(config) {
    // Noisy run times: the predicted finish is noise, and so is the
    // specialization's relative speed (mean run times per worker). Affinity
    // goes too: without the predicted finish to outweigh it, a warm worker won
    // whatever its speed, tying each model to the first worker that ran it
    // (held-out heavy-tailed online workload, 30 seeds: mean completion 1.19
    // -> 1.10 x least_loaded's, 0.96 -> 0.87 x min_completion's with the
    // fleet listed slowest first; the families unchanged but philly-online).
    untrusted_config_.enable_predictive_scheduling = false;
    untrusted_config_.enable_worker_specialization = false;
    untrusted_config_.enable_task_affinity = false;
  }

  std::string_view name() const override { return "intelligent"; }

  std::optional<std::size_t> choose(const task& t, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t> busy_feasible, const scheduler_view& view,
                                    double now_s) override {
    bound_.reset();
    // A deferral without a count (every free profile left to others) passes
    // over this task only, not as many as the last deferral counted.
    pass_over_ = 1;
    if (free_feasible.empty()) return decide_by_profiles(t, view, now_s);
    return decide(t, free_feasible, busy_feasible, view, now_s);
  }

  std::optional<std::size_t> preview(const task& t, std::span<const std::size_t> free_feasible,
                                     std::span<const std::size_t> busy_feasible, const scheduler_view& view,
                                     double now_s) override {
    // choose() keeps no state besides the last score, so a preview is a decision.
    const double kept_score = last_score_;
    const std::size_t kept_pass_over = pass_over_;
    const auto kept_bound = bound_;
    auto choice = decide(t, free_feasible, busy_feasible, view, now_s);
    last_score_ = kept_score;
    pass_over_ = kept_pass_over;
    bound_ = kept_bound;
    return choice;
  }

  std::optional<double> last_choice_score() const override { return last_score_; }
  bool wants_busy_feasible() const override { return false; }
  bool wants_free_feasible() const override { return false; }
  std::size_t deferral_pass_over() const override { return pass_over_; }
  std::optional<deferral_bound> last_deferral_bound() const override { return bound_; }
  bool prefers_warm_tasks() const override { return config_.enable_task_affinity; }
  bool orders_shortest_first() const override { return config_.shortest_first; }
  bool refines_guessed_estimates() const override { return config_.refine_guessed_estimates; }
  bool wants_backups() const override {
    return config_.backup_attempts && config_.enable_predictive_scheduling;
  }

  bool wants_probes() const override {
    return config_.probe_untried_devices && config_.enable_predictive_scheduling;
  }

  candidate_explanation explain(const task& t, std::size_t worker_index, const scheduler_view& view,
                                double now_s) override {
    candidate_explanation c;
    c.worker_id = view.worker(worker_index).id;
    c.predicted_duration_s = view.predicted_duration_s(t, worker_index);
    const double finish = view.predicted_slot_free_in_s(worker_index, now_s) + c.predicted_duration_s;
    const double best = view.best_free_predicted_finish_s(t, now_s);
    term_context ctx{t, worker_index, view.worker(worker_index), view, now_s, finish, best > 0.0 ? best : finish};
    trusted_ = predictions_trusted(t, view);
    c.total = weighted_score(ctx, score_config(), &c.terms);
    return c;
  }

private:
  std::optional<std::size_t> decide(const task& t, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view& view, double now_s) {
    if (free_feasible.empty()) return std::nullopt;
    // The candidates the rules leave (see the file comment).
    kept_.clear();
    late_.clear();
    for (std::size_t w : free_feasible) {
      if (view.reserved(t, view.profile_of(w))) continue;
      (view.predicted_past_timeout(t, view.profile_of(w)) ? late_ : kept_).push_back(w);
    }
    if (kept_.empty()) {
      double late_s = std::numeric_limits<double>::infinity();
      for (std::size_t w : late_) late_s = std::min(late_s, view.predicted_duration_s(t, w));
      if (!late_.empty() && wait_for_in_time(t, late_s, view, now_s)) {
        pass_over_ = 1;
        return std::nullopt;
      }
      kept_.swap(late_);
    }
    if (kept_.empty()) return std::nullopt;
    free_feasible = kept_;
    durations_.resize(free_feasible.size());
    double best_finish = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < free_feasible.size(); ++k) {
      durations_[k] = view.predicted_duration_s(t, free_feasible[k]);
      best_finish = std::min(best_finish, durations_[k]);
    }
    trusted_ = predictions_trusted(t, view);
    std::size_t winner = 0;
    double winner_score = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < free_feasible.size(); ++k) {
      const std::size_t w = free_feasible[k];
      term_context ctx{t, w, view.worker(w), view, now_s, durations_[k], best_finish};
      const double score = weighted_score(ctx, score_config());
      if (score > winner_score) {  // strict: the earliest registered keeps ties
        winner_score = score;
        winner = k;
      }
    }
    last_score_ = winner_score;
    if (should_defer(t, durations_[winner], view, now_s)) return std::nullopt;
    return free_feasible[winner];
  }

  // The same decision as decide() over every free feasible worker, found per
  // worker profile: members of a profile share every term but
  // specialization, affinity and load, so the profile's member orders are
  // walked in descending upper bound of the score and a member is scored
  // only while its bound reaches the best score so far (ties: the earliest
  // registered, as in decide()). Small profiles are simply scored through.
  std::optional<std::size_t> decide_by_profiles(const task& t, const scheduler_view& view, double now_s) {
    constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    const std::size_t avoided = view.avoided_worker(t).value_or(npos);
    profiles_.clear();
    late_profiles_.clear();
    double best_finish = std::numeric_limits<double>::infinity();
    bool narrowed = false;  // a rule left out a free profile: no deferral bound then
    for (auto p : view.decision_profiles(t)) {
      const auto members = view.free_members(p);
      const std::size_t first = members.empty() ? npos : members[0] != avoided ? members[0]
                                                      : members.size() > 1      ? members[1]
                                                                                : npos;
      if (first == npos) continue;
      if (view.reserved(t, p)) {
        narrowed = true;
        continue;
      }
      const double duration = view.predicted_duration_s(t, first);
      if (view.predicted_past_timeout(t, p)) {
        late_profiles_.push_back({p, first, duration, false, 0.0});
        continue;
      }
      profiles_.push_back({p, first, duration, false, 0.0});
      best_finish = std::min(best_finish, duration);
    }
    if (!late_profiles_.empty()) {
      narrowed = true;
      if (profiles_.empty()) {
        double late_s = std::numeric_limits<double>::infinity();
        for (const auto& c : late_profiles_) late_s = std::min(late_s, c.duration_s);
        if (wait_for_in_time(t, late_s, view, now_s)) {
          pass_over_ = 1;
          return std::nullopt;
        }
        profiles_.swap(late_profiles_);
        for (const auto& c : profiles_) best_finish = std::min(best_finish, c.duration_s);
      }
    }
    if (profiles_.empty()) return std::nullopt;

    // The deferral depends on the winner only through its predicted finish
    // and is monotone in it: when the fastest and the slowest free profile
    // give the same answer, every winner would, and finding it is moot for
    // a deferral (a placement still needs the winner, but not the check).
    const auto [fastest, slowest] = std::minmax_element(
        profiles_.begin(), profiles_.end(), [](const auto& a, const auto& b) { return a.duration_s < b.duration_s; });
    trusted_ = predictions_trusted(t, view);
    // (At the cap, max_pass_over, a later finish gives the same; so does any
    // count that ends the class's turn in this schedule() call.)
    // Deferring at the fastest free profile's finish, any winner defers (the
    // bound the core may repeat this deferral under).
    const auto at_fastest = deferral(t, fastest->duration_s, view, now_s, narrowed ? nullptr : &bound_);
    const bool deferral_known = (at_fastest && (*at_fastest == max_pass_over ||
                                                *at_fastest >= view.pass_over_ending_turn(t))) ||
                                fastest->duration_s == slowest->duration_s ||
                                deferral(t, slowest->duration_s, view, now_s) == at_fastest;
    if (deferral_known && at_fastest) {
      pass_over_ = *at_fastest;
      return std::nullopt;
    }

    const auto& order = view.member_order();
    plans_.resize(std::max(plans_.size(), profiles_.size()));
    for (std::size_t k = 0; k < profiles_.size(); ++k) {
      auto& c = profiles_[k];
      const term_context representative{t, c.first, view.worker(c.first), view, now_s, c.duration_s, best_finish};
      c.ordered = view.free_members(c.profile).size() > scan_at_most && order.orderable(c.profile) &&
                  plans_[k].prepare(representative, score_config());
      c.bound = c.ordered ? plans_[k].total(1.0, 1.0, 0.0) : std::numeric_limits<double>::infinity();
      c.plan = k;
    }
    // Most promising profiles first, so that the walks of the others stop early.
    std::stable_sort(profiles_.begin(), profiles_.end(), [](const auto& a, const auto& b) { return a.bound > b.bound; });

    std::size_t best = npos;
    double best_score = -std::numeric_limits<double>::infinity();
    double best_duration = 0.0;
    for (const auto& c : profiles_) {
      const auto consider = [&](std::size_t w) {
        const term_context ctx{t, w, view.worker(w), view, now_s, c.duration_s, best_finish};
        const double score = weighted_score(ctx, score_config());
        if (score > best_score || (score == best_score && w < best)) {
          best = w;
          best_score = score;
          best_duration = c.duration_s;
        }
      };
      if (!c.ordered) {
        for (std::size_t w : view.free_members(c.profile))
          if (w != avoided) consider(w);
        continue;
      }
      if (c.bound < best_score) continue;
      walk_profile(t, view, order, plans_[c.plan], c.profile, avoided, best, best_score, consider);
    }
    last_score_ = best_score;
    if (!deferral_known && should_defer(t, best_duration, view, now_s)) return std::nullopt;
    return best;
  }

  template <typename Consider>
  void walk_profile(const task& t, const scheduler_view& view, const profile_member_order& order,
                    const profile_score_plan& plan, std::uint32_t profile, std::size_t avoided,
                    const std::size_t& best, const double& best_score, const Consider& consider) {
    const auto model = view.affinity_model_key(t);
    const auto family = view.specialization_family_key(t);
    const double fleet_offset = view.specialization().fleet_log_speed_offset(t.type, family);
    const auto is_free = [&](std::size_t w) { return w != avoided && view.running(w) < view.slots(w); };
    // Walks one order while the bound of its next member reaches the best
    // score; a run of equal keys is left once it ties the best from a later index.
    const auto walk = [&](const profile_member_order::ordered& members, bool fleet_relative, double affinity_bound,
                          bool skip_warm) {
      for (auto it = members.begin(); it != members.end();) {
        const double key = -it->first;
        // The fleet-relative term is at most max(key + offset, 0); the margin covers rounding.
        const double specialization_bound = fleet_relative ? std::max(key + fleet_offset, 0.0) + 1e-9 : key;
        const double bound = plan.total(specialization_bound, affinity_bound, 0.0);
        if (bound < best_score) return;
        if (bound == best_score && it->second > best) {
          it = members.upper_bound({it->first, std::numeric_limits<std::size_t>::max()});
          continue;
        }
        const std::size_t w = it->second;
        ++it;
        if (!is_free(w) || (skip_warm && order.holds_warm(w, model))) continue;
        consider(w);
      }
    };
    if (model != affinity_map::no_key) {
      const auto& warm = order.holding_model(profile, model, t.type, family);
      walk(warm.fleet_relative, true, affinity_map::same_model_value, false);
      walk(warm.fixed, false, affinity_map::same_model_value, false);
    }
    const double others_affinity = model != affinity_map::no_key ? view.affinity().value_bound_without_model(model) : 0.0;
    const auto& all = order.by_specialization(profile, t.type, family);
    walk(all.fleet_relative, true, others_affinity, model != affinity_map::no_key);
    walk(all.fixed, false, others_affinity, model != affinity_map::no_key);
    // Clean members (no history, nothing warm) score alike but for their load.
    if (plan.total(0.0, 0.0, 0.0) < best_score) return;
    for (std::size_t w : order.clean_members(profile)) {
      if (!is_free(w)) continue;
      consider(w);
      if (view.running(w) == 0) return;  // the later ones score no more and lose ties
    }
  }

  // Defer when more busy workers would finish this task clearly sooner than
  // the winner (slot-free time + predicted duration < (1 - margin) x the
  // winner's) than there are tasks of its class already waiting for them in
  // this call. This applies while the queue is deep too: gating it on the
  // fleet's drain time (so slow workers kept taking work until the queue ran
  // low) measured ~2x the mean completion online (bench scheduling, seeds
  // 1-4) for no consistent makespan gain. A task deferred for longer than
  // deferral_max_wait_factor x its duration on the winner is placed anyway
  // (no starvation when predictions are wrong).
  bool should_defer(const task& t, double winner_finish_s, const scheduler_view& view, double now_s) {
    const auto pass_over = deferral(t, winner_finish_s, view, now_s);
    if (pass_over) pass_over_ = *pass_over;
    return pass_over.has_value();
  }

  /// How many tasks to pass over when the winner's predicted finish is
  /// `winner_finish_s`; nullopt: place it. Monotone in winner_finish_s: a
  /// later finish never turns a deferral into a placement nor lowers the
  /// count (each condition only loosens as it grows).
  std::optional<std::size_t> deferral(const task& t, double winner_finish_s, const scheduler_view& view,
                                      double now_s, std::optional<deferral_bound>* bound = nullptr) const {
    if (!config_.defers()) return std::nullopt;
    if (!(winner_finish_s > 0.0) || !std::isfinite(winner_finish_s)) return std::nullopt;
    if (view.deferred_for_s(t, now_s) > config_.deferral_max_wait_factor * winner_finish_s) return std::nullopt;
    if (!trusted_) return std::nullopt;
    const double within = winner_finish_s * (1.0 - config_.deferral_margin);
    const std::size_t ahead = view.deferred_ahead(t);
    const std::size_t sooner = view.busy_finishing_within(t, now_s, within, ahead + max_pass_over);
    if (sooner <= ahead) return std::nullopt;
    if (bound)
      *bound = deferral_bound{winner_finish_s, within, ahead + max_pass_over,
                              config_.deferral_max_wait_factor * winner_finish_s};
    return sooner - ahead;
  }

  /// Whether t's predictions can back a deferral: no feasible profile (busy
  /// or free) predicts it from the model's own run times at a level whose
  /// learned spread is noisy (prediction_spread::noisy: run times that
  /// history does not explain, such as Philly's heavy tail). There, holding a
  /// task for a busy worker predicted to free soon is a bet the predictions
  /// cannot back, so the task is placed; nor does a worker predicted to
  /// finish it sooner, one specialized by its run times, or one warm with its
  /// model score higher for it (score_config). A noisy
  /// model_type_scaled level -- device ratios learned from other models,
  /// wrong for this one -- does not make the model's own runs on a device
  /// untrustworthy: judging by it (the fastest profile's level, before)
  /// placed a resnet50 on a CPU, predicted 2,060 s and run 84,595 s, while
  /// the A100 its own runs predicted at 125 s freed minutes later, because a
  /// K80 predicted 48 s by ratio looked fastest (drift-batch seed 1).
  /// Depends only on t's predictions on its profiles and on the noisy
  /// verdicts, both in execution_predictor::change_stamp, so deferral bounds
  /// stay promises. Costs nothing while none of own_run_time_levels is noisy.
  static bool predictions_trusted(const task& t, const scheduler_view& view) {
    const auto& spread = view.predictor().spread();
    if (std::none_of(own_run_time_levels.begin(), own_run_time_levels.end(),
                     [&](prediction_level level) { return spread.noisy(level); }))
      return true;
    for (auto p : view.decision_profiles(t)) {
      const auto level = view.predicted_profile_level(t, p);
      if (from_own_run_times(level) && spread.noisy(level)) return false;
    }
    return true;
  }

  /// Levels that answer from the model's own run times (on the device, or
  /// at speed 1), not from device ratios learned from other models.
  static constexpr std::array<prediction_level, 4> own_run_time_levels = {
      prediction_level::exact, prediction_level::model_batch_scaled, prediction_level::model_type_device,
      prediction_level::model_type};
  static bool from_own_run_times(prediction_level level) {
    return std::find(own_run_time_levels.begin(), own_run_time_levels.end(), level) != own_run_time_levels.end();
  }

  /// Every free candidate is predicted past the timeout, the fastest of them
  /// to need `late_s`: wait for a busy feasible profile predicted to finish
  /// in time, if there is one, the task has not waited too long already, and
  /// the wait pays: more busy workers are predicted to finish it (slot free +
  /// duration) within late_s than tasks of its class were held back for them
  /// earlier in this call. Else the free worker would stand idle for one that
  /// frees after it would have finished the task: with a scarce in-time
  /// profile busy with long runs, tasks waited up to
  /// deferral_max_wait_factor x their timeout while every other worker stood
  /// idle (scarce_memory online). Reads the busy workers' predicted ends, so
  /// such a wait gives no deferral bound (the rule narrows the candidates).
  bool wait_for_in_time(const task& t, double late_s, const scheduler_view& view, double now_s) const {
    if (!config_.defers()) return false;
    double timeout_s = -1.0;  // in the core's clock, on the first profile predicted in time
    for (auto p : view.decision_profiles(t))
      if (!view.predicted_past_timeout(t, p)) {
        timeout_s = t.timeout_s * view.scheduler_s_per_worker_s(view.first_member(p));
        break;
      }
    if (timeout_s < 0.0) return false;
    if (view.deferred_for_s(t, now_s) > config_.deferral_max_wait_factor * timeout_s) return false;
    const std::size_t ahead = view.deferred_ahead(t);
    return view.busy_finishing_within(t, now_s, late_s, ahead + 1) > ahead;
  }

  struct profile_candidates {
    std::uint32_t profile;
    std::size_t first;   // a free member (the representative)
    double duration_s;   // predicted duration of the task on the profile
    bool ordered;        // walked through the member orders (else scored through)
    double bound;        // upper bound of any member's score when ordered
    std::size_t plan = 0;
  };
  /// Profiles with at most this many free members are scored member by member.
  static constexpr std::size_t scan_at_most = 8;
  std::vector<profile_candidates> profiles_;  // reused: no allocation per decision
  std::vector<profile_candidates> late_profiles_;  // free ones predicted past the timeout
  std::vector<std::size_t> kept_, late_;       // decide()'s candidates after the rules
  std::vector<profile_score_plan> plans_;

  static constexpr std::size_t max_pass_over = 256;
  std::size_t pass_over_ = 1;
  std::optional<deferral_bound> bound_;  // of the last deferral (see last_deferral_bound)
  bool trusted_ = true;  // of the current decision (see predictions_trusted)
  scheduler_config config_;
  scheduler_config untrusted_config_;  // config_ without predictive scheduling (see score_config)
  /// The weights a decision scores with: without the predicted-finish term
  /// while the task's predictions are not trusted (predictions_trusted).
  const scheduler_config& score_config() const { return trusted_ ? config_ : untrusted_config_; }
  std::vector<double> durations_;  // reused: no allocation per decision
  double last_score_ = 0.0;
};

} // namespace

std::unique_ptr<placement_policy> make_intelligent_policy(const scheduler_config& config) {
  return std::make_unique<intelligent_policy>(config);
}

} // namespace dtf
