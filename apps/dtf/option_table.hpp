#pragma once
// The options of the long-running commands (coordinator, node, submit, ...):
// each one a key of the config file (CAF's format, read by
// actors/cluster/config_file.hpp) and a flag, bound to a field. Flags win
// over the file; `--config FILE` is read first wherever it stands;
// `--dump-config` asks for the effective configuration, printed in the file's
// own format so that it reads back. An unknown key or a bad value is an
// input_error naming the file (or flag) and the key.
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace dtf::app {

class option_table {
public:
  /// `key` empty: a flag only (not in files, not dumped). `flag` empty: a key only.
  void text(std::string key, std::string flag, std::string help, std::string& target);
  void number(std::string key, std::string flag, std::string help, double& target, double min, double max);
  void whole(std::string key, std::string flag, std::string help, int& target, int min, int max);
  void port(std::string key, std::string flag, std::string help, std::uint16_t& target);
  /// `--flag` sets true, `--flag=false` and `--no-<name>` false.
  void boolean(std::string key, std::string flag, std::string help, bool& target);
  /// Seconds; accepts 500ms, 2s, 1min, or a plain number of seconds.
  void duration(std::string key, std::string flag, std::string help, double& seconds, double min, double max);

  /// Reads the config file named by --config (if any), then the flags.
  /// Returns the positional arguments. Throws input_error.
  std::vector<std::string> parse(int argc, char** argv);
  /// As parse, for commands with a parser of their own: takes --config FILE
  /// and this table's flags out of argv and returns the rest (argv[0] first),
  /// unknown flags and their values included.
  std::vector<std::string> take_known(int argc, char** argv);
  bool dump_requested() const { return dump_requested_; }
  bool help_requested() const { return help_requested_; }
  const std::string& config_path() const { return config_path_; }
  /// The effective configuration in CAF's config format.
  void dump(std::ostream& out) const;
  /// One line per option: flag, key, help, default.
  void describe(std::ostream& out) const;

private:
  struct option {
    std::string key, flag, help;
    bool is_boolean = false;
    std::function<void(const std::string&)> set;  // throws std::invalid_argument with the reason
    std::function<std::string()> render;          // the value in the config format
  };
  void add(option o);
  const option* by_key(const std::string& key) const;
  const option* by_flag(const std::string& flag) const;
  void apply_file(const std::string& path);
  /// Applies argv[i] if it is one of this table's flags (consuming its value);
  /// false if it is not.
  bool apply_flag(int& i, int argc, char** argv);

  std::vector<option> options_;
  bool dump_requested_ = false;
  bool help_requested_ = false;
  std::string config_path_;
};

/// Arguments as argc/argv again (for a command's own parser after take_known).
class argument_vector {
public:
  explicit argument_vector(std::vector<std::string> arguments) : strings_(std::move(arguments)) {
    for (auto& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  argument_vector(const argument_vector&) = delete;
  argument_vector& operator=(const argument_vector&) = delete;
  int argc() const { return static_cast<int>(strings_.size()); }
  char** argv() { return pointers_.data(); }

private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

} // namespace dtf::app
