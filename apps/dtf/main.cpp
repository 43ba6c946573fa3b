// dtf: distributes test and benchmark tasks across heterogeneous hardware.
// Subcommands register themselves in apps/dtf/commands.hpp's table.
#include "actors/output/written_file.hpp"
#include "apps/dtf/commands.hpp"
#include "dtf_version.hpp"

#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>

namespace {

void print_help(std::ostream& out) {
  out << "dtf " DTF_VERSION_STRING " - distributes test and benchmark tasks across heterogeneous hardware\n\n"
         "usage: dtf <command> [options]\n\ncommands:\n";
  for (const auto& c : dtf::app::commands())
    out << "  " << c.usage << "\n      " << c.summary << "\n";
  out << "\n  dtf --help | dtf <command> --help | dtf --version\n"
         "exit codes: 0 success, 1 tasks failed, 2 bad input\n";
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_help(std::cout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "dtf " DTF_VERSION_STRING "\n";
    return 0;
  }
  for (const auto& c : dtf::app::commands()) {
    if (c.name != argv[1]) continue;
    // Commands report their own errors; whatever one leaves uncaught ends
    // here as one line, not as std::terminate's abort and core dump.
    try {
      const int exit_code = c.run(argc - 1, argv + 1);
      // stdout is the product of many commands (--json, a trace): lost bytes are a failure.
      if (exit_code == 0 && !dtf::stdout_written()) {
        std::cerr << "dtf " << c.name << ": cannot write stdout\n";
        return 1;
      }
      return exit_code;
    } catch (const dtf::write_error& e) {  // a file (or stdout) the command writes did not take the bytes
      std::cerr << "dtf " << c.name << ": " << e.what() << "\n";
      return 1;
    } catch (const std::filesystem::filesystem_error& e) {  // a path given that cannot be used
      std::cerr << "dtf " << c.name << ": " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "dtf " << c.name << ": internal error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "dtf: unknown command '" << argv[1] << "' (see dtf --help)\n";
  return 2;
}
