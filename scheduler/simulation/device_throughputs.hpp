#pragma once
// Measured per-device training throughput used to shape synthetic traces, so
// that the generator's heterogeneity is real rather than invented: derived from
// Gavel's isolated throughputs (K80, P100, V100; see device_throughputs.cpp for
// the source and its MIT licence), extended to ROCm and CPU devices by stated
// assumptions.
#include <span>
#include <string_view>

namespace dtf {

/// One Gavel workload variant: training steps per second on each GPU, alone.
struct measured_throughput {
  std::string_view workload;  // "ResNet-50", "Transformer", "LM", "Recommendation", ...
  int batch_size;             // 0 where Gavel gives one variant only
  double k80_steps_per_s;
  double p100_steps_per_s;
  double v100_steps_per_s;
};

std::span<const measured_throughput> gavel_throughputs();

/// Assumed (not measured) speed of devices Gavel did not measure, per workload:
/// MI50 = P100 x mi50_vs_p100, MI100 = V100 x mi100_vs_v100, one CPU package =
/// K80 x cpu_vs_k80. Documented in README.md.
struct assumed_ratios {
  double mi50_vs_p100;
  double mi100_vs_v100;
  double cpu_vs_k80;
};
assumed_ratios assumed_device_ratios(std::string_view workload);

} // namespace dtf
