// Task status names: parse_task_status is the exact inverse of to_string.
#include "scheduler/model/task_result.hpp"

#include <gtest/gtest.h>

namespace dtf {
namespace {

TEST(task_status_names, parse_is_the_inverse_of_to_string_for_every_status) {
  for (auto status : {task_status::pending, task_status::assigned, task_status::running, task_status::succeeded,
                      task_status::failed, task_status::timed_out, task_status::cancelled, task_status::lost})
    EXPECT_EQ(parse_task_status(to_string(status)), status);
}

TEST(task_status_names, parse_rejects_other_spellings) {
  EXPECT_EQ(parse_task_status("Succeeded"), std::nullopt);
  EXPECT_EQ(parse_task_status("timeout"), std::nullopt);
  EXPECT_EQ(parse_task_status(""), std::nullopt);
}

} // namespace
} // namespace dtf
