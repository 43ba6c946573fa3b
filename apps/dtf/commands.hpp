#pragma once
// The table of dtf subcommands. Each lives in apps/dtf/<name>_command.cpp and
// is listed once in commands.cpp.
#include <functional>
#include <string>
#include <vector>

namespace dtf::app {

struct command {
  std::string name;
  std::string usage;
  std::string summary;
  /// argv[0] is the command name. Returns the process exit code.
  std::function<int(int argc, char** argv)> run;
};

const std::vector<command>& commands();

} // namespace dtf::app
