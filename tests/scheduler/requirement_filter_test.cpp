#include "fleet_fixtures.hpp"
#include "scheduler/filters/requirement_filter.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
const auto rtx3080 = cuda_worker("rtx", "NVIDIA GeForce RTX 3080", 10, 8.6);
const auto a100 = cuda_worker("a100", "NVIDIA A100-SXM4-40GB", 40, 8.0, 108);
const auto xeon = cpu_worker("xeon", "Intel Xeon Gold 6248", 64, 32);
const auto mi100 = rocm_worker("mi100", "AMD Instinct MI100", 32, "gfx908:sramecc+:xnack-");
} // namespace

TEST(device_kind_filter, accepts_a_listed_kind) {
  task_requirements req;
  req.hardware = {device_kind::cuda, device_kind::rocm};
  EXPECT_FALSE(check_device_kind(req, a100));
  EXPECT_FALSE(check_device_kind(req, mi100));
}

TEST(device_kind_filter, rejects_an_unlisted_kind_with_the_list) {
  task_requirements req;
  req.hardware = {device_kind::cuda, device_kind::rocm};
  EXPECT_EQ(check_device_kind(req, xeon), "device kind cpu not in [cuda, rocm]");
}

TEST(device_kind_filter, keeps_cpu_only_work_off_gpu_workers) {
  task_requirements req;  // empty hardware = cpu only
  EXPECT_FALSE(check_device_kind(req, xeon));
  EXPECT_EQ(check_device_kind(req, a100), "device kind cuda not in [cpu]");
}

TEST(memory_filter, rejects_task_when_device_memory_is_short) {
  task_requirements req;
  req.min_memory_gb = 16;
  EXPECT_EQ(check_memory(req, rtx3080), "memory 10.0 GiB < required 16.0 GiB");
  EXPECT_FALSE(check_memory(req, a100));
}

TEST(memory_filter, uses_host_memory_for_cpu_workers) {
  task_requirements req;
  req.min_memory_gb = 48;
  EXPECT_FALSE(check_memory(req, xeon));
  req.min_memory_gb = 128;
  EXPECT_EQ(check_memory(req, xeon), "memory 64.0 GiB < required 128.0 GiB");
}

TEST(compute_capability_filter, rejects_an_older_cuda_device) {
  task_requirements req;
  req.min_cuda_compute = 8.0;
  auto t4 = cuda_worker("t4", "Tesla T4", 16, 7.5);
  EXPECT_EQ(check_compute_capability(req, t4), "compute capability 7.5 < 8.0");
  EXPECT_FALSE(check_compute_capability(req, a100));
}

TEST(compute_capability_filter, ignores_non_cuda_workers) {
  task_requirements req;
  req.min_cuda_compute = 9.0;
  EXPECT_FALSE(check_compute_capability(req, mi100));
  EXPECT_FALSE(check_compute_capability(req, xeon));
}

TEST(gfx_arch_filter, matches_the_arch_before_feature_flags) {
  task_requirements req;
  req.gfx_arch = {"gfx908"};
  EXPECT_FALSE(check_gfx_arch(req, mi100));
  auto mi50 = rocm_worker("mi50", "AMD Instinct MI50", 32, "gfx906");
  EXPECT_EQ(check_gfx_arch(req, mi50), "gfx arch gfx906 not in [gfx908]");
  EXPECT_FALSE(check_gfx_arch(req, a100));  // cuda workers are not judged by gfx arch
}

TEST(require_device_filter, matches_a_name_substring_case_insensitively) {
  task_requirements req;
  req.require_device = {"a100"};
  EXPECT_FALSE(check_require_device(req, a100));
  req.require_device = {"A100"};
  EXPECT_EQ(check_require_device(req, cuda_worker("r", "RTX 3080", 10, 8.6)), "name 'RTX 3080' matches none of [A100]");
}

TEST(labels_filter, names_the_first_missing_label) {
  task_requirements req;
  req.labels = {"nvlink", "fast-disk"};
  auto w = a100;
  w.labels = {"fast-disk"};
  EXPECT_EQ(check_labels(req, w), "missing label nvlink");
  w.labels = {"nvlink", "fast-disk"};
  EXPECT_FALSE(check_labels(req, w));
}

TEST(min_cores_filter, rejects_too_few_cores) {
  task_requirements req;
  req.min_cores = 16;
  EXPECT_EQ(check_min_cores(req, cpu_worker("small", "cpu", 8, 8)), "cores 8 < 16");
  EXPECT_FALSE(check_min_cores(req, xeon));
}

TEST(first_rejection, passes_a_worker_meeting_every_requirement) {
  task_requirements req;
  req.hardware = {device_kind::cuda};
  req.min_memory_gb = 16;
  req.min_cuda_compute = 8.0;
  EXPECT_FALSE(first_rejection(req, a100));
  EXPECT_TRUE(first_rejection(req, rtx3080));
}

TEST(slot_check, rejects_a_full_worker) {
  EXPECT_FALSE(check_free_slot(1, 2));
  EXPECT_EQ(check_free_slot(2, 2), "no free slot (2/2 running)");
}
