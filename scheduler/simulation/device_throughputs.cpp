// Throughputs below are copied from Gavel (stanford-futuredata/gavel,
// scheduler/simulation_throughputs.json, isolated entries, scale factor 1;
// training steps per second, one GPU, job running alone), distributed under:
//
//   MIT License
//
//   Copyright (c) 2020 Stanford Future Data Systems
//
//   Permission is hereby granted, free of charge, to any person obtaining a copy
//   of this software and associated documentation files (the "Software"), to deal
//   in the Software without restriction, including without limitation the rights
//   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
//   copies of the Software, and to permit persons to whom the Software is
//   furnished to do so, subject to the following conditions:
//
//   The above copyright notice and this permission notice shall be included in all
//   copies or substantial portions of the Software.
//
//   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
//   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
//   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
//   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
//   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
//   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
//   SOFTWARE.
#include "scheduler/simulation/device_throughputs.hpp"

#include <array>

namespace dtf {
namespace {

constexpr std::array<measured_throughput, 26> gavel_table{{
    {"A3C", 0, 3.4388, 5.6813, 7.1758},
    {"CycleGAN", 0, 0.5048, 2.4027, 4.4261},
    {"LM", 5, 25.4855, 90.7759, 109.1666},
    {"LM", 10, 23.7944, 77.0847, 81.6516},
    {"LM", 20, 17.1423, 58.1727, 64.7425},
    {"LM", 40, 11.4997, 35.7664, 45.2374},
    {"LM", 80, 6.0542, 21.1575, 28.2400},
    {"Recommendation", 512, 32.8593, 48.8824, 23.3176},
    {"Recommendation", 1024, 20.0500, 30.7444, 13.2826},
    {"Recommendation", 2048, 10.4412, 16.5966, 7.4696},
    {"Recommendation", 4096, 5.3002, 8.8967, 3.9061},
    {"Recommendation", 8192, 2.6988, 5.5484, 2.8415},
    {"ResNet-18", 16, 4.7953, 35.8692, 32.3534},
    {"ResNet-18", 32, 7.1758, 35.8254, 29.9472},
    {"ResNet-18", 64, 7.0521, 22.3049, 24.0932},
    {"ResNet-18", 128, 1.8065, 11.6755, 17.9949},
    {"ResNet-18", 256, 0.8856, 7.7228, 10.3003},
    {"ResNet-50", 16, 2.3005, 9.0530, 11.3961},
    {"ResNet-50", 32, 1.2366, 4.8883, 7.7873},
    {"ResNet-50", 64, 0.6190, 2.6195, 4.3948},
    {"ResNet-50", 128, 0.3472, 1.5844, 2.4968},
    {"Transformer", 16, 5.4674, 9.5372, 11.0641},
    {"Transformer", 32, 3.5074, 7.8692, 10.6209},
    {"Transformer", 64, 1.7522, 5.0918, 8.6178},
    {"Transformer", 128, 0.9816, 3.0735, 5.4461},
    {"Transformer", 256, 0.4583, 1.6777, 1.5951},
}};

} // namespace

std::span<const measured_throughput> gavel_throughputs() { return gavel_table; }

assumed_ratios assumed_device_ratios(std::string_view workload) {
  // Assumptions, not measurements: MI50 a little behind a P100 and MI100 about a
  // V100 on dense convolution and attention; both relatively better on the
  // memory-bound recommendation model (HBM2 bandwidth); a CPU package is a
  // fraction of a K80 on dense work and close to it on RL and embeddings.
  if (workload == "ResNet-18" || workload == "ResNet-50") return {0.85, 1.05, 0.12};
  if (workload == "Transformer") return {0.80, 0.95, 0.20};
  if (workload == "LM") return {0.75, 0.90, 0.15};
  if (workload == "Recommendation") return {1.20, 1.50, 0.60};
  if (workload == "CycleGAN") return {0.90, 1.10, 0.10};
  if (workload == "A3C") return {1.00, 1.00, 0.90};
  return {0.80, 1.00, 0.15};
}

} // namespace dtf
