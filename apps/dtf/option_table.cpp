#include "apps/dtf/option_table.hpp"

#include "actors/cluster/config_file.hpp"
#include "scheduler/input/input_error.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace dtf::app {

namespace {

std::string number_text(double v) { return config_number_text(v); }

double parse_double(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw std::invalid_argument("expected a number, got '" + text + "'");
  if (!std::isfinite(v)) throw std::invalid_argument("number out of range: '" + text + "'");
  return v;
}

double parse_seconds(const std::string& text) {
  static const std::pair<const char*, double> units[] = {{"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9},
                                                         {"min", 60.0}, {"s", 1.0},   {"h", 3600.0}};
  for (const auto& [unit, scale] : units) {
    const std::string u = unit;
    if (text.size() > u.size() && text.compare(text.size() - u.size(), u.size(), u) == 0) {
      auto number = text.substr(0, text.size() - u.size());
      try {
        return parse_double(number) * scale;
      } catch (const std::invalid_argument&) {
        break;
      }
    }
  }
  try {
    return parse_double(text);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("expected a duration (500ms, 2s, 1min or seconds), got '" + text + "'");
  }
}

std::string duration_text(double seconds) {
  const double ms = seconds * 1000.0;
  if (seconds == std::floor(seconds)) return number_text(seconds) + "s";
  if (ms == std::floor(ms)) return number_text(ms) + "ms";
  return number_text(seconds * 1e6) + "us";
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void check_range(double v, double min, double max) {
  if (v < min || v > max)
    throw std::invalid_argument("must be from " + number_text(min) + " to " + number_text(max) + ", got " +
                                number_text(v));
}

/// The closest known name, for "did you mean".
std::string closest(const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = 4;
  for (const auto& k : known) {
    std::vector<std::size_t> row(k.size() + 1);
    for (std::size_t j = 0; j <= k.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= name.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= k.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (name[i - 1] == k[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[k.size()] < best_distance) {
      best_distance = row[k.size()];
      best = k;
    }
  }
  return best;
}

} // namespace

void option_table::add(option o) { options_.push_back(std::move(o)); }

void option_table::text(std::string key, std::string flag, std::string help, std::string& target) {
  add({std::move(key), std::move(flag), std::move(help), false, [&target](const std::string& v) { target = v; },
       [&target] { return quoted(target); }});
}

void option_table::number(std::string key, std::string flag, std::string help, double& target, double min,
                          double max) {
  add({std::move(key), std::move(flag), std::move(help), false,
       [&target, min, max](const std::string& v) {
         double x = parse_double(v);
         check_range(x, min, max);
         target = x;
       },
       [&target] { return number_text(target); }});
}

void option_table::whole(std::string key, std::string flag, std::string help, int& target, int min, int max) {
  add({std::move(key), std::move(flag), std::move(help), false,
       [&target, min, max](const std::string& v) {
         double x = parse_double(v);
         if (x != std::floor(x)) throw std::invalid_argument("expected a whole number, got '" + v + "'");
         check_range(x, min, max);
         target = static_cast<int>(x);
       },
       [&target] { return std::to_string(target); }});
}

void option_table::port(std::string key, std::string flag, std::string help, std::uint16_t& target) {
  add({std::move(key), std::move(flag), std::move(help), false,
       [&target](const std::string& v) {
         double x = parse_double(v);
         if (x != std::floor(x) || x < 0 || x > 65535)
           throw std::invalid_argument("a port is a whole number from 0 to 65535, got '" + v + "'");
         target = static_cast<std::uint16_t>(x);
       },
       [&target] { return std::to_string(target); }});
}

void option_table::boolean(std::string key, std::string flag, std::string help, bool& target) {
  add({std::move(key), std::move(flag), std::move(help), true,
       [&target](const std::string& v) {
         if (v == "true" || v.empty()) target = true;
         else if (v == "false") target = false;
         else throw std::invalid_argument("expected true or false, got '" + v + "'");
       },
       [&target] { return std::string{target ? "true" : "false"}; }});
}

void option_table::duration(std::string key, std::string flag, std::string help, double& seconds, double min,
                            double max) {
  add({std::move(key), std::move(flag), std::move(help), false,
       [&seconds, min, max](const std::string& v) {
         double x = parse_seconds(v);
         check_range(x, min, max);
         seconds = x;
       },
       [&seconds] { return duration_text(seconds); }});
}

const option_table::option* option_table::by_key(const std::string& key) const {
  for (const auto& o : options_)
    if (!o.key.empty() && o.key == key) return &o;
  return nullptr;
}

const option_table::option* option_table::by_flag(const std::string& flag) const {
  for (const auto& o : options_)
    if (!o.flag.empty() && o.flag == flag) return &o;
  return nullptr;
}

void option_table::apply_file(const std::string& path) {
  std::vector<std::string> known;
  for (const auto& o : options_)
    if (!o.key.empty()) known.push_back(o.key);
  for (const auto& entry : read_config_file(path)) {
    const auto* o = by_key(entry.key);
    if (!o) {
      auto hint = closest(entry.key, known);
      throw input_error(path, 0, entry.key, "unknown key" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    try {
      o->set(entry.value);
    } catch (const std::invalid_argument& e) {
      throw input_error(path, 0, entry.key, e.what());
    }
  }
}

namespace {

/// The value of --config in argv, empty when none.
std::string config_argument(int argc, char** argv) {
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config") {
      if (i + 1 >= argc) throw input_error("", 0, arg, "needs a value");
      path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      path = arg.substr(9);
    }
  }
  return path;
}

} // namespace

bool option_table::apply_flag(int& i, int argc, char** argv) {
  std::string arg = argv[i];
  std::optional<std::string> value;
  if (auto eq = arg.find('='); eq != std::string::npos) {
    value = arg.substr(eq + 1);
    arg.resize(eq);
  }
  const option* o = by_flag(arg);
  if (!o && arg.rfind("--no-", 0) == 0) {
    if (const option* positive = by_flag("--" + arg.substr(5)); positive && positive->is_boolean) {
      if (value) throw input_error("", 0, arg, "takes no value");
      positive->set("false");
      return true;
    }
  }
  if (!o) return false;
  if (!value) {
    if (o->is_boolean) value = "true";
    else if (i + 1 >= argc) throw input_error("", 0, arg, "needs a value");
    else value = argv[++i];
  }
  try {
    o->set(*value);
  } catch (const std::invalid_argument& e) {
    throw input_error("", 0, arg, e.what());
  }
  return true;
}

std::vector<std::string> option_table::parse(int argc, char** argv) {
  // The file first, wherever --config stands: flags override it.
  const auto rest = take_known(argc, argv);
  std::vector<std::string> positional;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    const auto& arg = rest[i];
    if (arg == "--dump-config") dump_requested_ = true;
    else if (arg == "--help" || arg == "-h") help_requested_ = true;
    else if (arg.rfind("--", 0) == 0) throw input_error("", 0, arg.substr(0, arg.find('=')), "unknown option");
    else positional.push_back(arg);
  }
  return positional;
}

std::vector<std::string> option_table::take_known(int argc, char** argv) {
  config_path_ = config_argument(argc, argv);
  if (!config_path_.empty()) apply_file(config_path_);
  std::vector<std::string> rest{argc > 0 ? argv[0] : ""};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config") {
      ++i;
      continue;
    }
    if (arg.rfind("--config=", 0) == 0) continue;
    if (arg.rfind("--", 0) == 0 && apply_flag(i, argc, argv)) continue;
    rest.push_back(arg);
  }
  return rest;
}

void option_table::dump(std::ostream& out) const {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sections;
  for (const auto& o : options_) {
    if (o.key.empty()) continue;
    auto dot = o.key.rfind('.');
    sections[o.key.substr(0, dot)].emplace_back(o.key.substr(dot + 1), o.render());
  }
  bool first = true;
  for (const auto& [section, entries] : sections) {
    out << (first ? "" : "\n") << "[" << section << "]\n";
    first = false;
    for (const auto& [name, value] : entries) out << name << "=" << value << "\n";
  }
}

void option_table::describe(std::ostream& out) const {
  for (const auto& o : options_) {
    std::string head = "  " + (o.flag.empty() ? o.key : o.flag);
    if (!o.key.empty() && !o.flag.empty()) head += " (" + o.key + ")";
    out << head << "\n      " << o.help;
    if (!o.key.empty()) out << " [" << o.render() << "]";
    out << "\n";
  }
}

} // namespace dtf::app
