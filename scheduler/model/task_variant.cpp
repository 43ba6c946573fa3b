#include "scheduler/model/task_variant.hpp"

#include <cctype>

namespace dtf {

std::string task_variant(std::string_view model, std::string_view id) {
  std::string variant;
  variant.reserve(model.size() + 1 + id.size());
  variant.append(model);
  variant.push_back('|');
  bool has_text = false;
  for (std::size_t k = 0; k < id.size(); ++k) {
    const auto c = static_cast<unsigned char>(id[k]);
    if (std::isdigit(c)) {
      if (variant.back() != '#') variant.push_back('#');
      continue;
    }
    has_text = true;
    variant.push_back(static_cast<char>(c));
  }
  if (!has_text) return {};
  return variant;
}

} // namespace dtf
