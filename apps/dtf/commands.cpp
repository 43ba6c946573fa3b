#include "apps/dtf/commands.hpp"

namespace dtf::app {

int plan_command(int argc, char** argv);
int probe_command(int argc, char** argv);

const std::vector<command>& commands() {
  static const std::vector<command> table = {
    {"plan", "dtf plan SUITE --fleet FLEET [--json] [--explain TASK_ID] [--max-tasks-per-worker N] [--policy NAME]",
     "schedule a suite onto a fleet of emulated workers in predicted time and show where and why", plan_command},
    {"probe", "dtf probe [--topology FILE.xml] [--by package|numa] [--metrics] [--json]",
     "list the workers this machine (or an hwloc XML topology) offers", probe_command},
  };
  return table;
}

} // namespace dtf::app
