#pragma once
// Maps names (worker ids, model names, device names) to dense integer keys so
// the hot path compares integers. Keys are handed out in first-seen order, so
// they are deterministic for deterministic inputs; lookups never iterate the map.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtf {

class string_interner {
public:
  using key = std::uint32_t;

  key intern(std::string_view name) {
    if (auto found = find(name)) return *found;
    const auto k = static_cast<key>(names_.size());
    names_.emplace_back(name);
    index_.emplace(names_.back(), k);
    return k;
  }
  /// A new key for `name` that find() never returns: a name in a namespace of
  /// its own, numbered with the others (its owner keeps its own index).
  key add_unindexed(std::string_view name) {
    const auto k = static_cast<key>(names_.size());
    names_.emplace_back(name);
    return k;
  }
  std::optional<key> find(std::string_view name) const {
    // Heterogeneous lookup needs C++20 transparent hashing; a temporary string keeps it simple.
    auto it = index_.find(std::string{name});
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& name(key k) const { return names_.at(k); }
  std::size_t size() const { return names_.size(); }

private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, key> index_;
};

} // namespace dtf
