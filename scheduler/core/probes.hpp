#pragma once
// Probes of untried devices. A task waits for the device its model's own
// runs predict fastest while another device it fits stands idle, predicted
// there only from outside the model's runs on it (other models' device
// ratios, the blind CPU prior, a default) -- a guess that nothing corrects
// while it keeps the device unused: op tests that run 8-20 s on a CPU,
// predicted 330-610 s there, waited 380-550 s for GPUs with every CPU slot
// free. After the policy's decisions in a schedule() call, such a task starts
// on the idle device as a probe, cut off (the caller stops it as it stops a
// timeout) once it has run cutoff_factor x its best prediction from its
// model's own runs; the task then queues again in its place, and the guess
// stands (it said longer than the cut). A finished probe is a result like any
// other: the model's time there is learned (its model counts as warm there
// only then). One probe per (model, device), a cut one never repeated; never
// on a profile that pending tasks can run nowhere else; only while
// submissions arrive (what a probe teaches pays on the tasks still to come; a
// batch's last long tasks followed the slow devices its probes found fast);
// the cut slot time, with what the probes in flight may be cut at, within
// budget_fraction of all slot time so far, and with the backups' cancelled
// time within theirs (cancelled attempts stay within one budget).
// Owns the pairs tried, the in-flight charges and the counters.
#include "scheduler/core/core_parts.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <utility>
#include <vector>

namespace dtf {

struct probe_choice {
  task_handle task = no_handle;
  std::size_t worker = no_worker_index;
  prediction predicted;  // on the probed worker, in its clock
  double cutoff_s = 0.0;  // run time after which the caller stops it, in the worker's clock
};

class device_probes {
public:
  device_probes(const scheduler_config& config, bool enabled) : config_(config), enabled_(enabled) {}

  /// Starts probes through `start` (which takes the task out of its queue
  /// and occupies the slot), after the call's decisions.
  /// others_s: slot time other cancellations hold against the cancelled
  /// budget (backup_attempts::committed_s; the probes stay within both
  /// budget_fraction and, with them, scheduler_config::backup_budget_fraction).
  void place(double now_s, const core_parts& in, const std::function<void(const probe_choice&)>& start,
             double others_s);
  /// Slot time cut off, and what the probes in flight may be cut at.
  double committed_s() const { return cut_slot_s_ + held_total_s_; }
  /// The probe of h was cut after `ran_s` of slot time (the core's clock).
  void count_cut(task_handle h, double ran_s);
  /// The probe of h ended otherwise (finished, failed, its worker left).
  void settle(task_handle h);

  std::uint64_t started() const { return started_; }
  std::uint64_t cut() const { return cut_; }
  double cut_slot_s() const { return cut_slot_s_; }

private:
  /// The best prediction for h from its model's own runs on a device, over
  /// its class's profiles (the core's clock; infinity: none); `noisy` tells
  /// whether any of them comes from a noisy level. Inside a decision about h.
  static double best_own_s(task_handle h, const core_parts& in, bool& noisy);
  const scheduler_config& config_;
  bool enabled_ = false;
  std::set<std::pair<std::uint32_t, std::uint32_t>> tried_;  // (model, device) probed
  std::vector<double> held_s_;  // by handle: the cut-off a probe in flight may waste (core's clock)
  double held_total_s_ = 0.0;
  std::uint64_t started_ = 0;
  std::uint64_t cut_ = 0;
  double cut_slot_s_ = 0.0;
};

} // namespace dtf
