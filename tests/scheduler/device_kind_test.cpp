#include "scheduler/model/device_kind.hpp"

#include <gtest/gtest.h>

TEST(device_kind, parses_every_kind_and_rejects_others) {
  EXPECT_EQ(dtf::parse_device_kind("cuda"), dtf::device_kind::cuda);
  EXPECT_EQ(dtf::parse_device_kind("rocm"), dtf::device_kind::rocm);
  EXPECT_EQ(dtf::parse_device_kind("cpu"), dtf::device_kind::cpu);
  EXPECT_FALSE(dtf::parse_device_kind("gpu"));
  EXPECT_EQ(dtf::to_string(dtf::device_kind::rocm), "rocm");
}
