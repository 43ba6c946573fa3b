#include "actors/execution/process_tree.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace dtf {

namespace {

/// The parent id from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm
/// may hold spaces and parentheses, so parse after the last ')').
pid_t parent_of(const std::filesystem::path& stat_file) {
  std::ifstream in{stat_file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest{text.substr(close + 1)};
  std::string state;
  long ppid = -1;
  rest >> state >> ppid;
  return static_cast<pid_t>(ppid);
}

} // namespace

std::vector<pid_t> descendants_of(pid_t pid) {
  std::multimap<pid_t, pid_t> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator{"/proc", ec}) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t child = static_cast<pid_t>(std::atol(name.c_str()));
    const pid_t parent = parent_of(entry.path() / "stat");
    if (parent > 0) children.emplace(parent, child);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> frontier{pid};
  while (!frontier.empty()) {
    const pid_t next = frontier.back();
    frontier.pop_back();
    auto [first, last] = children.equal_range(next);
    for (auto i = first; i != last; ++i) {
      out.push_back(i->second);
      frontier.push_back(i->second);
    }
  }
  return out;
}

bool environment_has(pid_t pid, const std::string& entry) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/environ", std::ios::binary};
  if (!in) return false;
  for (std::string item; std::getline(in, item, '\0');)
    if (item == entry) return true;
  return false;
}

} // namespace dtf
