#include "apps/dtf/commands.hpp"

namespace dtf::app {

int probe_command(int argc, char** argv);

const std::vector<command>& commands() {
  static const std::vector<command> table = {
    {"probe", "dtf probe [--topology FILE.xml] [--by package|numa] [--json]",
     "list the workers this machine (or an hwloc XML topology) offers", probe_command},
  };
  return table;
}

} // namespace dtf::app
