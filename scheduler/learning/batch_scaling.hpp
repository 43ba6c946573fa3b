#pragma once
// How a run's time grows with its batch size on a device, learned from the
// predictor's own exact estimates (one per model, type, clock, batch and
// device): log time = a per-model constant + k_small x ln min(b, 4) +
// k_large x ln(max(b, 4) / 4). A GPU is often barely slower at batch 4 than at
// 1 and grows as batch^0.3-0.9 above, differently per device; sqrt(batch)
// alone mispredicts a batch-256 run from batch-16 ones by 2-3x.
//
// The two slopes are a fixed-effects regression: within each model's points
// on the device (so a model's own scale cancels), pooled over its models and
// shrunk toward 0.5 (time ~ sqrt(batch)) as far as the points' own scatter
// around the fit says they cannot tell (a Bayesian ridge: prior sd 0.3 on a
// slope, the residual variance learned with it): clean sweeps move the slopes
// after a few points, heavy-tailed run times that batch size does not explain
// leave them near the prior. A model's run time at a batch it has not run at
// on the device is then its points' mean there moved along those slopes. Sums
// are kept in exact integer arithmetic on logs rounded to 1e-6, so an answer
// depends on the set of estimates only, never on the order they arrived in: a
// predictor loaded from a snapshot answers as the one saved.
#include <cstdint>
#include <optional>
#include <unordered_map>

namespace dtf {

class batch_scaling {
public:
  /// A device's slopes, with the points behind them.
  struct slopes {
    double up_to_4 = 0.5;   // k_small: batch 1 to 4
    double above_4 = 0.5;   // k_large: above batch 4
    std::uint64_t points = 0;
  };

  /// The exact estimate of `model` at `batch` on `device` (type and clock in
  /// `series`) changed from `old_s` (nullopt: it is new) to `new_s`. Not
  /// `pooled` (a task variant's, whose runs its model's already count): it
  /// moves that name's own points, not the device's slopes.
  void replace(std::uint32_t series, std::uint32_t model, std::uint32_t device, int batch, std::optional<double> old_s,
               double new_s, bool pooled = true);
  /// The model's run time at `batch` on the device from its estimates at
  /// other batch sizes there, along the device's slopes; nullopt until the
  /// model has run there and some model has run there at two batch sizes.
  struct scaled {
    double seconds = 0.0;
    std::uint64_t batches = 0;  // the model's batch sizes behind it
  };
  std::optional<scaled> predict(std::uint32_t series, std::uint32_t model, std::uint32_t device, int batch) const;
  slopes device_slopes(std::uint32_t series, std::uint32_t device) const;
  void clear();

private:
  __extension__ using wide = __int128;
  /// Within-group centered sums of squares and products (x1, x2: the two
  /// log-batch segments; y: log seconds), in 1e-12 units.
  struct moments {
    wide s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0, syy = 0;
    std::uint64_t points = 0;
    std::uint64_t groups = 0;  // models with two batch sizes or more
    moments& operator+=(const moments& o);
    moments& operator-=(const moments& o);
  };
  struct group_sums {
    std::int64_t n = 0;
    wide x1 = 0, x2 = 0, y = 0, x11 = 0, x12 = 0, x22 = 0, x1y = 0, x2y = 0, yy = 0;
    moments centered() const;
  };
  struct fitted {
    moments totals;
    slopes at;  // solved from totals whenever they change
  };
  static std::uint64_t series_device(std::uint32_t series, std::uint32_t device) {
    return static_cast<std::uint64_t>(series) << 32 | device;
  }
  static void solve(fitted& f);
  struct group_key {
    std::uint32_t series, model, device;
    bool operator==(const group_key&) const = default;
  };
  struct group_key_hash {
    std::size_t operator()(const group_key& k) const noexcept;
  };

  std::unordered_map<group_key, group_sums, group_key_hash> groups_;
  std::unordered_map<std::uint64_t, fitted> devices_;  // by series_device
};

} // namespace dtf
