#pragma once
// Model affinity: a worker that recently ran the same model (or one of the
// same family, or one linked to it by experience) has warm caches and loaded
// weights, so it scores higher.
//
// Built-in families (family name: members): bert: bert, roberta, distilbert,
// distilroberta, albert, deberta, electra; t5: t5, mt5, byt5, longt5, flan-t5;
// llama: llama, codellama, vicuna, opt; vit: vit, deit, beit; clip: clip, blip;
// whisper; wav2vec2: wav2vec2, wav2vec, hubert, wavlm; llava.
// Detection tokenizes the lower-cased name on '/', '-', '_', '.', ' ' and
// matches whole tokens (a token may carry a version suffix of digits, e.g.
// "llama2", "blip2"); the longest matching member wins, then the earliest
// token. So "distilbert-base" is bert (token "distilbert"), "robert-x" is none.
#include "scheduler/model/string_interner.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <string>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtf {

/// The built-in family of a model name, or "" when it belongs to none.
std::string_view model_family(std::string_view model);

struct learned_link {
  std::string model_a;  // the two models, a < b
  std::string model_b;
  std::uint64_t strength = 0;  // successful co-located runs
};

class affinity_map {
public:
  using key = string_interner::key;
  static constexpr key no_key = ~key{0};

  /// Affinity values by kind of match (the term's range is [0, 1]).
  static constexpr double same_model_value = 1.0;
  static constexpr double same_family_value = 0.6;
  static constexpr double max_link_value = 0.4;

  explicit affinity_map(std::size_t max_learned_links = 1024, std::size_t recent_models_per_worker = 4);

  key worker_key(std::string_view worker_id);
  key model_key(std::string_view model);
  key find_worker(std::string_view worker_id) const;  // no_key when unknown
  key find_model(std::string_view model) const;

  /// The model is now loaded on the worker (placement): it becomes the most recent.
  void touch(key worker, key model);
  /// A successful run: strengthens links between the model and the other models
  /// warm on the worker (bounded by max_learned_links), then touches it.
  void learn_success(key worker, key model);
  /// Forget what was warm on a removed worker.
  void forget_worker(key worker);

  /// [0, 1]: 1 same model warm, 0.6 same family warm, up to 0.4 by learned link, else 0.
  double value(key worker, key model) const;
  double value(std::string_view worker_id, std::string_view model) const;

  /// Warm models on the worker, most recent first.
  std::vector<std::string> warm_models(std::string_view worker_id) const;
  std::span<const key> recent_models(key worker) const {
    if (worker >= recent_.size()) return {};
    return recent_[worker];
  }
  /// At least value(w, model) for every worker w that does not hold the model
  /// itself warm: same_family_value when the model has a family, else at least
  /// the strongest learned link the model ever had.
  double value_bound_without_model(key model) const;
  std::uint64_t link_strength(std::string_view model_a, std::string_view model_b) const;
  std::size_t learned_link_count() const { return links_.size(); }
  /// Every learned link, strongest first then by names (deterministic).
  std::vector<learned_link> learned_links() const;
  std::size_t max_learned_links() const { return max_links_; }

private:
  struct link_state {
    std::uint64_t strength = 0;
    std::uint64_t last_update = 0;
  };
  using pair_key = std::uint64_t;
  static pair_key make_pair_key(key a, key b);
  void strengthen(key a, key b);
  key family_of(key model) const { return model_family_[model]; }

  std::size_t max_links_;
  std::size_t recent_per_worker_;
  string_interner workers_;
  string_interner models_;
  string_interner families_;
  std::vector<key> model_family_;                 // model key -> family key or no_key
  std::vector<double> link_value_bound_;          // model key -> max link value it ever had
  std::vector<std::vector<key>> recent_;          // worker key -> models, most recent first
  std::unordered_map<pair_key, link_state> links_;  // looked up, never iterated for decisions
  // Eviction order: weakest, then least recently updated, then key (deterministic).
  std::set<std::tuple<std::uint64_t, std::uint64_t, pair_key>> eviction_order_;
  std::uint64_t clock_ = 0;
};

} // namespace dtf
