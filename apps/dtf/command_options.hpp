#pragma once
// Small option reader for dtf subcommands: "--name value", "--name=value" and
// value-less flags. Bad options throw dtf::input_error naming the option, so a
// command turns them into exit code 2 like any other bad input.
#include "scheduler/input/input_error.hpp"

#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dtf::app {

class command_options {
public:
  /// argv[0] is the command name. `flags` take no value, `valued` take one.
  command_options(int argc, char** argv, const std::set<std::string>& flags, const std::set<std::string>& valued) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0) {
        positional_.push_back(arg);
        continue;
      }
      std::optional<std::string> inline_value;
      if (auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg.resize(eq);
      }
      if (flags.count(arg)) {
        if (inline_value) throw input_error("", 0, arg, "takes no value");
        values_[arg] = "";
      } else if (valued.count(arg)) {
        if (!inline_value && i + 1 >= argc) throw input_error("", 0, arg, "needs a value");
        values_[arg] = inline_value ? *inline_value : argv[++i];
      } else {
        throw input_error("", 0, arg, "unknown option");
      }
    }
  }

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  /// An unsigned integer option, `fallback` when absent.
  unsigned long long unsigned_value(const std::string& name, unsigned long long fallback) const {
    auto text = value(name);
    if (!text) return fallback;
    unsigned long long x = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), x);
    if (error != std::errc{} || end != text->data() + text->size())
      throw input_error("", 0, name, "expected a non-negative integer, got '" + *text + "'");
    return x;
  }
  /// An integer option in [least, most], `fallback` when absent: a count a
  /// run is sized by, so a typo cannot ask for a run out of memory or time.
  unsigned long long count_value(const std::string& name, unsigned long long fallback, unsigned long long least,
                                 unsigned long long most) const {
    const auto x = unsigned_value(name, fallback);
    if (x < least || x > most)
      throw input_error("", 0, name, "expected an integer from " + std::to_string(least) + " to " +
                                         std::to_string(most) + ", got " + std::to_string(x));
    return x;
  }
  const std::vector<std::string>& positional() const { return positional_; }

private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

} // namespace dtf::app
