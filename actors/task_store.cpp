#include "actors/task_store.hpp"

#include <cstring>
#include <stdexcept>
#include <utility>

namespace dtf {

namespace {

// Every field of `task` is either kept per task or part of the shape; a field
// added to task (or task_requirements) must be added here too (the key below
// and, when it differs per task, the entry), else it would be lost.
#if defined(__GLIBCXX__) && __SIZEOF_POINTER__ == 8
static_assert(sizeof(task_requirements) == 168, "task_requirements changed: add the field to task_store's shape key");
static_assert(sizeof(task) == 408, "task changed: add the field to task_store (shape key or entry)");
#endif

void put_size(std::string& out, std::size_t n) {
  do {
    auto byte = static_cast<unsigned char>(n & 0x7f);
    n >>= 7;
    if (n != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (n != 0);
}

void put_text(std::string& out, std::string_view text) {
  put_size(out, text.size());
  out.append(text);
}

template <class T>
void put_bits(std::string& out, const T& value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_texts(std::string& out, const std::vector<std::string>& texts) {
  put_size(out, texts.size());
  for (const auto& t : texts) put_text(out, t);
}

/// The shape's fields, encoded without ambiguity: two shapes get the same key
/// exactly when every field is equal (doubles compared by their bits).
std::string shape_key(const task& t) {
  std::string key;
  put_bits(key, static_cast<int>(t.type));
  put_text(key, t.model);
  put_bits(key, t.batch_size);
  const auto& r = t.requirements;
  put_size(key, r.hardware.size());
  for (auto kind : r.hardware) put_bits(key, static_cast<int>(kind));
  put_bits(key, r.min_memory_gb);
  key.push_back(r.min_cuda_compute ? 1 : 0);
  if (r.min_cuda_compute) put_bits(key, *r.min_cuda_compute);
  put_texts(key, r.gfx_arch);
  key.push_back(r.device ? 1 : 0);
  if (r.device) put_text(key, *r.device);
  put_texts(key, r.require_device);
  put_texts(key, r.labels);
  put_bits(key, r.min_cores);
  put_size(key, t.env.size());
  for (const auto& [name, value] : t.env) {
    put_text(key, name);
    put_text(key, value);
  }
  put_text(key, t.working_directory);
  put_bits(key, t.timeout_s);
  put_bits(key, t.retries);
  put_text(key, t.origin);
  return key;
}

} // namespace

std::string task_store::pack_words(const std::vector<std::string>& words) {
  std::string out;
  std::size_t bytes = 0;
  for (const auto& w : words) bytes += w.size() + 2;
  out.reserve(bytes);
  for (const auto& w : words) put_text(out, w);
  out.shrink_to_fit();
  return out;
}

std::vector<std::string> task_store::unpack_words(std::string_view packed) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (at < packed.size()) {
    std::size_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (at >= packed.size() || shift > 63) throw std::logic_error("task_store: corrupt packed words");
      const auto byte = static_cast<unsigned char>(packed[at++]);
      n |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    if (n > packed.size() - at) throw std::logic_error("task_store: corrupt packed words");
    words.emplace_back(packed.substr(at, n));
    at += n;
  }
  return words;
}

std::size_t task_store::add(task t) {
  const auto index = entries_.size();
  entry e;
  e.id = std::move(t.id);
  e.id.shrink_to_fit();
  e.command = pack_words(t.command);
  e.sequence = t.sequence;
  e.priority = t.priority;
  t.command.clear();
  t.command.shrink_to_fit();
  t.sequence = 0;
  t.priority = 0;
  auto key = shape_key(t);
  auto found = shape_index_.find(key);
  if (found == shape_index_.end()) {
    shapes_.push_back(std::move(t));
    found = shape_index_.emplace(std::move(key), static_cast<std::uint32_t>(shapes_.size() - 1)).first;
  }
  e.shape = found->second;
  entries_.push_back(std::move(e));
  index_.emplace(entries_.back().id, index);
  return index;
}

std::optional<std::size_t> task_store::find(std::string_view id) const {
  auto i = index_.find(id);
  if (i == index_.end()) return std::nullopt;
  return i->second;
}

task task_store::materialize(std::size_t index) const {
  const auto& e = entries_[index];
  task t = shapes_[e.shape];
  t.id = e.id;
  t.command = unpack_words(e.command);
  t.sequence = e.sequence;
  t.priority = e.priority;
  return t;
}

} // namespace dtf
