#pragma once
// A strict reader of the Prometheus text exposition format (0.0.4) for tests:
// every line is a HELP, a TYPE or a sample; every sample belongs to a family
// whose HELP and TYPE came before it; values parse. Returns the samples.
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dtf::testing {

struct prometheus_sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct prometheus_document {
  std::vector<prometheus_sample> samples;
  std::map<std::string, std::string> types;  // family -> type
  std::vector<std::string> errors;           // empty when every line is valid

  /// The value of the sample with that name and labels (NaN when absent).
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nan("");
  }
  /// Sum over every sample of that name.
  double sum(const std::string& name) const {
    double total = 0;
    for (const auto& s : samples)
      if (s.name == name) total += s.value;
    return total;
  }
};

inline prometheus_document parse_prometheus_text(const std::string& text) {
  prometheus_document doc;
  static const std::regex help{R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$)"};
  static const std::regex type{R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"};
  static const std::regex sample{
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (NaN|[+-]Inf|[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)$)"};
  static const std::regex label{R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"(,|$))re"};
  std::set<std::string> helped;
  std::istringstream in{text};
  std::string line;
  int number = 0;
  if (!text.empty() && text.back() != '\n') doc.errors.push_back("the text does not end with a newline");
  while (std::getline(in, line)) {
    ++number;
    std::smatch m;
    const auto where = "line " + std::to_string(number) + ": '" + line + "'";
    if (std::regex_match(line, m, help)) {
      if (!helped.insert(m[1]).second) doc.errors.push_back(where + ": second HELP");
      continue;
    }
    if (std::regex_match(line, m, type)) {
      if (doc.types.count(m[1])) doc.errors.push_back(where + ": second TYPE");
      if (!helped.count(m[1])) doc.errors.push_back(where + ": TYPE before HELP");
      doc.types[m[1]] = m[2];
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      doc.errors.push_back(where + ": not a HELP, TYPE or sample line");
      continue;
    }
    prometheus_sample s;
    s.name = m[1];
    s.value = m[4] == "NaN" ? std::nan("") : m[4] == "+Inf" ? HUGE_VAL : m[4] == "-Inf" ? -HUGE_VAL : std::strtod(m[4].str().c_str(), nullptr);
    std::string labels = m[3];
    std::string rest = labels;
    while (!rest.empty()) {
      std::smatch lm;
      if (!std::regex_search(rest, lm, label) || lm.position(0) != 0) {
        doc.errors.push_back(where + ": bad labels");
        break;
      }
      std::string v = lm[2];
      std::string unescaped;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
          ++i;
          unescaped += v[i] == 'n' ? '\n' : v[i];
        } else {
          unescaped += v[i];
        }
      }
      s.labels[lm[1]] = unescaped;
      rest = lm.suffix();
    }
    std::string family = s.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string suf{suffix};
      if (!doc.types.count(family) && family.size() > suf.size() && family.ends_with(suf)) {
        auto base = family.substr(0, family.size() - suf.size());
        if (doc.types.count(base) && doc.types[base] == "histogram") family = base;
      }
    }
    if (!doc.types.count(family) || !helped.count(family)) doc.errors.push_back(where + ": no HELP and TYPE before it");
    doc.samples.push_back(std::move(s));
  }
  return doc;
}

} // namespace dtf::testing
