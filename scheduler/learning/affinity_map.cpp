#include "scheduler/learning/affinity_map.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

namespace dtf {

namespace {

struct family_member {
  std::string_view token;
  std::string_view family;
};

constexpr std::array<family_member, 25> family_members = {{
    {"bert", "bert"},       {"roberta", "bert"},     {"distilbert", "bert"}, {"distilroberta", "bert"},
    {"albert", "bert"},     {"deberta", "bert"},     {"electra", "bert"},    {"t5", "t5"},
    {"mt5", "t5"},          {"byt5", "t5"},          {"longt5", "t5"},       {"llama", "llama"},
    {"codellama", "llama"}, {"vicuna", "llama"},     {"opt", "llama"},       {"vit", "vit"},
    {"deit", "vit"},        {"beit", "vit"},         {"clip", "clip"},       {"blip", "clip"},
    {"whisper", "whisper"}, {"wav2vec2", "wav2vec2"}, {"wav2vec", "wav2vec2"}, {"hubert", "wav2vec2"},
    {"llava", "llava"},
}};
// (wavlm is matched below with the wav2vec2 family too.)
constexpr family_member wavlm_member{"wavlm", "wav2vec2"};

bool is_separator(char c) { return c == '/' || c == '-' || c == '_' || c == '.' || c == ' ' || c == ':'; }

// Token equals the member, or the member followed only by digits ("llama2", "blip2").
bool token_matches(std::string_view token, std::string_view member) {
  if (token.size() < member.size() || token.substr(0, member.size()) != member) return false;
  return std::all_of(token.begin() + static_cast<std::ptrdiff_t>(member.size()), token.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

} // namespace

namespace {
std::string_view detect_family(std::string_view model) {
  std::string lower(model);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view best_family;
  std::size_t best_length = 0;
  std::size_t start = 0;
  while (start < lower.size()) {
    std::size_t end = start;
    while (end < lower.size() && !is_separator(lower[end])) ++end;
    const std::string_view token = std::string_view{lower}.substr(start, end - start);
    auto consider = [&](const family_member& m) {
      // Strictly longer wins, so on equal length the earliest token keeps it.
      if (m.token.size() > best_length && token_matches(token, m.token)) {
        best_length = m.token.size();
        best_family = m.family;
      }
    };
    for (const auto& m : family_members) consider(m);
    consider(wavlm_member);
    start = end + 1;
  }
  return best_family;
}
} // namespace

std::string_view model_family(std::string_view model) {
  // Detection is pure, and the same few model names come back for every task:
  // memoize per thread (bounded; cleared when full, which changes no result).
  thread_local std::unordered_map<std::string, std::string_view> memo;
  if (auto it = memo.find(std::string{model}); it != memo.end()) return it->second;
  if (memo.size() >= 4096) memo.clear();
  const auto family = detect_family(model);
  memo.emplace(std::string{model}, family);
  return family;
}

affinity_map::affinity_map(std::size_t max_learned_links, std::size_t recent_models_per_worker)
  : max_links_(max_learned_links), recent_per_worker_(std::max<std::size_t>(1, recent_models_per_worker)) {}

affinity_map::key affinity_map::worker_key(std::string_view worker_id) {
  const key k = workers_.intern(worker_id);
  if (recent_.size() <= k) recent_.resize(k + 1);
  return k;
}

affinity_map::key affinity_map::model_key(std::string_view model) {
  const auto before = models_.size();
  const key k = models_.intern(model);
  if (models_.size() != before) {
    const auto family = model_family(model);
    model_family_.push_back(family.empty() ? no_key : families_.intern(family));
    link_value_bound_.push_back(0.0);
  }
  return k;
}

affinity_map::key affinity_map::find_worker(std::string_view worker_id) const {
  auto k = workers_.find(worker_id);
  return k ? *k : no_key;
}

affinity_map::key affinity_map::find_model(std::string_view model) const {
  auto k = models_.find(model);
  return k ? *k : no_key;
}

void affinity_map::touch(key worker, key model) {
  if (worker >= recent_.size() || model >= model_family_.size()) return;
  auto& recent = recent_[worker];
  auto it = std::find(recent.begin(), recent.end(), model);
  if (it != recent.end()) recent.erase(it);
  recent.insert(recent.begin(), model);
  if (recent.size() > recent_per_worker_) recent.resize(recent_per_worker_);
}

void affinity_map::learn_success(key worker, key model) {
  if (worker >= recent_.size() || model >= model_family_.size()) return;
  // Copy: strengthen() does not touch recent_, but keep the loop obviously safe.
  const auto recent = recent_[worker];
  for (key other : recent) {
    if (other == model) continue;
    const key fa = family_of(other), fb = family_of(model);
    if (fa != no_key && fa == fb) continue;  // the family already relates them
    strengthen(other, model);
  }
  touch(worker, model);
}

void affinity_map::forget_worker(key worker) {
  if (worker < recent_.size()) recent_[worker].clear();
}

affinity_map::pair_key affinity_map::make_pair_key(key a, key b) {
  if (a > b) std::swap(a, b);
  return (static_cast<pair_key>(a) << 32) | b;
}

void affinity_map::strengthen(key a, key b) {
  if (max_links_ == 0) return;
  const pair_key pk = make_pair_key(a, b);
  ++clock_;
  auto it = links_.find(pk);
  const auto raise_bound = [&](std::uint64_t strength) {
    const double s = static_cast<double>(strength);
    const double v = max_link_value * s / (s + 2.0);
    for (key m : {a, b})
      if (m < link_value_bound_.size()) link_value_bound_[m] = std::max(link_value_bound_[m], v);
  };
  if (it != links_.end()) {
    eviction_order_.erase({it->second.strength, it->second.last_update, pk});
    ++it->second.strength;
    it->second.last_update = clock_;
    eviction_order_.insert({it->second.strength, it->second.last_update, pk});
    raise_bound(it->second.strength);
    return;
  }
  if (links_.size() >= max_links_) {
    auto weakest = eviction_order_.begin();
    links_.erase(std::get<2>(*weakest));
    eviction_order_.erase(weakest);
  }
  links_.emplace(pk, link_state{1, clock_});
  eviction_order_.insert({1, clock_, pk});
  raise_bound(1);
}

double affinity_map::value_bound_without_model(key model) const {
  if (model >= model_family_.size()) return 0.0;
  return std::max(family_of(model) != no_key ? same_family_value : 0.0, link_value_bound_[model]);
}

double affinity_map::value(key worker, key model) const {
  if (worker >= recent_.size() || model >= model_family_.size()) return 0.0;
  const key family = family_of(model);
  double best = 0.0;
  for (key warm : recent_[worker]) {
    if (warm == model) return same_model_value;
    if (family != no_key && family_of(warm) == family) {
      best = std::max(best, same_family_value);
      continue;
    }
    if (links_.empty()) continue;
    auto it = links_.find(make_pair_key(warm, model));
    if (it != links_.end()) {
      const double s = static_cast<double>(it->second.strength);
      best = std::max(best, max_link_value * s / (s + 2.0));
    }
  }
  return best;
}

double affinity_map::value(std::string_view worker_id, std::string_view model) const {
  return value(find_worker(worker_id), find_model(model));
}

std::vector<std::string> affinity_map::warm_models(std::string_view worker_id) const {
  std::vector<std::string> out;
  const key w = find_worker(worker_id);
  if (w == no_key || w >= recent_.size()) return out;
  for (key m : recent_[w]) out.push_back(models_.name(m));
  return out;
}

std::uint64_t affinity_map::link_strength(std::string_view model_a, std::string_view model_b) const {
  const key a = find_model(model_a), b = find_model(model_b);
  if (a == no_key || b == no_key) return 0;
  auto it = links_.find(make_pair_key(a, b));
  return it == links_.end() ? 0 : it->second.strength;
}

std::vector<learned_link> affinity_map::learned_links() const {
  std::vector<learned_link> out;
  out.reserve(links_.size());
  for (const auto& [pk, state] : links_) {
    std::string a = models_.name(static_cast<key>(pk >> 32));
    std::string b = models_.name(static_cast<key>(pk & 0xffffffffu));
    if (b < a) std::swap(a, b);
    out.push_back({std::move(a), std::move(b), state.strength});
  }
  std::sort(out.begin(), out.end(), [](const learned_link& x, const learned_link& y) {
    return std::tie(y.strength, x.model_a, x.model_b) < std::tie(x.strength, y.model_a, y.model_b);
  });
  return out;
}

} // namespace dtf
