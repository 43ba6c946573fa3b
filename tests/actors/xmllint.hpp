#pragma once
// Asks xmllint (libxml2-utils, in scripts/setup) about an XML file: whether it
// is well-formed, and what an XPath expression evaluates to.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace dtf::testing {

/// xmllint --noout exits 0 only for well-formed XML.
inline bool xmllint_accepts(const std::filesystem::path& path) {
  return std::system(("xmllint --noout '" + path.string() + "' 2>/dev/null").c_str()) == 0;
}

/// The XPath result as text, without xmllint's final newline. The expression
/// goes to the shell in double quotes: quote inside it with '.
inline std::string xmllint_xpath(const std::filesystem::path& path, const std::string& expression) {
  const auto command = "xmllint --xpath \"" + expression + "\" '" + path.string() + "' 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string text;
  char buffer[256];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  ::pclose(pipe);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

} // namespace dtf::testing
