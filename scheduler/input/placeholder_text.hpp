#pragma once
// `{name}` placeholders in suite strings (commands, env values, ids, working
// directories). Only a brace pair around an identifier is a placeholder; every
// other brace is literal, so JSON (`{"a": 1}`), awk (`{ s += $1 }`) and regex
// counts (`a{2}`) are written as they are. `{{` and `}}` still stand for
// literal braces, as in Python's format, for the one case that needs them: a
// literal `{identifier}` such as a shell's `${{HOME}}`.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dtf {

/// A placeholder with no value; what() names it and the closest known one.
class placeholder_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// True for a name that `{name}` makes a placeholder: a letter or '_', then
/// letters, digits, '_', '-' or '.'.
bool is_placeholder_name(std::string_view name);

/// Replaces every {name} with values.at(name); throws placeholder_error for a
/// name with no value, suggesting the closest known one. A `}}` that closes a
/// `{{` (or stands alone) is one literal `}`; a `}` closing a lone `{` is kept,
/// so nested JSON objects keep both of their closing braces.
std::string substitute_placeholders(std::string_view text, const std::map<std::string, std::string>& values);

} // namespace dtf
