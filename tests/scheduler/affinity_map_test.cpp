#include "scheduler/learning/affinity_map.hpp"

#include <gtest/gtest.h>

using dtf::affinity_map;
using dtf::model_family;

TEST(model_family, puts_distilbert_and_roberta_in_the_bert_family) {
  EXPECT_EQ(model_family("distilbert-base-uncased"), "bert");
  EXPECT_EQ(model_family("bert-base-uncased"), "bert");
  EXPECT_EQ(model_family("roberta-large"), "bert");
  EXPECT_EQ(model_family("microsoft/deberta-v3-base"), "bert");
}

TEST(model_family, detects_families_in_hub_style_names) {
  EXPECT_EQ(model_family("facebook/opt-1.3b"), "llama");
  EXPECT_EQ(model_family("meta-llama/Llama-2-7b"), "llama");
  EXPECT_EQ(model_family("openai/whisper-small"), "whisper");
  EXPECT_EQ(model_family("google/flan-t5-base"), "t5");
  EXPECT_EQ(model_family("t5-small"), "t5");
  EXPECT_EQ(model_family("google/vit-base-patch16-224"), "vit");
  EXPECT_EQ(model_family("facebook/deit-small"), "vit");
  EXPECT_EQ(model_family("Salesforce/blip2-opt-2.7b"), "clip");
  EXPECT_EQ(model_family("facebook/wav2vec2-base-960h"), "wav2vec2");
  EXPECT_EQ(model_family("facebook/hubert-large-ll60k"), "wav2vec2");
  EXPECT_EQ(model_family("llava-hf/llava-1.5-7b-hf"), "llava");
}

TEST(model_family, is_not_fooled_by_substrings) {
  EXPECT_EQ(model_family("robert-x"), "");
  EXPECT_EQ(model_family("bertology-tool"), "");
  EXPECT_EQ(model_family("resnet50"), "");
  EXPECT_EQ(model_family(""), "");
}

TEST(model_family, lets_the_longest_member_win) {
  // clip (4 letters) beats vit (3) in "clip-vit".
  EXPECT_EQ(model_family("openai/clip-vit-base-patch32"), "clip");
}

TEST(affinity_map, scores_same_model_above_same_family_above_nothing) {
  affinity_map map;
  const auto w = map.worker_key("w1");
  map.touch(w, map.model_key("bert-base-uncased"));
  EXPECT_DOUBLE_EQ(map.value("w1", "bert-base-uncased"), 1.0);
  map.model_key("distilbert-base-uncased");
  map.model_key("resnet50");
  EXPECT_DOUBLE_EQ(map.value("w1", "distilbert-base-uncased"), 0.6);
  EXPECT_DOUBLE_EQ(map.value("w1", "resnet50"), 0.0);
  EXPECT_DOUBLE_EQ(map.value("unknown-worker", "bert-base-uncased"), 0.0);
}

TEST(affinity_map, remembers_a_bounded_number_of_recent_models) {
  affinity_map map(16, 2);
  const auto w = map.worker_key("w1");
  map.touch(w, map.model_key("resnet50"));
  map.touch(w, map.model_key("gpt2"));
  map.touch(w, map.model_key("yolo"));
  EXPECT_EQ(map.warm_models("w1"), (std::vector<std::string>{"yolo", "gpt2"}));
}

TEST(affinity_map, learns_links_from_successful_runs_on_the_same_worker) {
  affinity_map map;
  const auto w = map.worker_key("w1");
  const auto resnet = map.model_key("resnet50");
  const auto yolo = map.model_key("yolo");
  map.touch(w, resnet);
  map.learn_success(w, yolo);
  EXPECT_EQ(map.link_strength("resnet50", "yolo"), 1u);
  EXPECT_EQ(map.link_strength("yolo", "resnet50"), 1u);
  // On another worker where only resnet50 is warm, yolo now gets a link bonus.
  const auto w2 = map.worker_key("w2");
  map.touch(w2, resnet);
  EXPECT_GT(map.value(w2, yolo), 0.0);
  EXPECT_LE(map.value(w2, yolo), affinity_map::max_link_value);
}

TEST(affinity_map, bounds_learned_links_and_evicts_the_weakest_oldest_first) {
  affinity_map map(2, 4);
  const auto w = map.worker_key("w1");
  const auto a = map.model_key("a"), b = map.model_key("b"), c = map.model_key("c"), d = map.model_key("d");
  map.touch(w, a);
  map.learn_success(w, b);  // link a-b
  map.learn_success(w, b);  // again: a-b strength 2
  map.learn_success(w, c);  // links b-c then a-c: the cap of 2 evicts b-c (weakest, oldest)
  EXPECT_EQ(map.learned_link_count(), 2u);
  EXPECT_EQ(map.link_strength("a", "b"), 2u);
  map.learn_success(w, d);
  EXPECT_EQ(map.learned_link_count(), 2u);
  EXPECT_EQ(map.link_strength("a", "b"), 2u);  // the strong link survives
}
