#include "apps/dtf/commands.hpp"

namespace dtf::app {

const std::vector<command>& commands() {
  static const std::vector<command> table = {
  };
  return table;
}

} // namespace dtf::app
