#pragma once
// `{name}` placeholders in suite strings (commands, env values, ids, working
// directories). `{{` and `}}` stand for literal braces, as in Python's format.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dtf {

/// A placeholder with no value or a stray brace; what() says which.
class placeholder_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Replaces every {name} with values.at(name); throws placeholder_error for an
/// unknown name (suggesting the closest known one) or an unbalanced brace.
std::string substitute_placeholders(std::string_view text, const std::map<std::string, std::string>& values);

} // namespace dtf
