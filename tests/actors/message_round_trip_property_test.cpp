// Every type of dtf's type-ID block, with every field random (non-finite
// doubles and the extremes often), survives CAF's binary serializer the way
// the middleman sends it between processes: each field comes back as it went,
// except that a non-finite double comes back 0 and a non-finite metric is
// dropped (clamped at the boundary: CAF 0.17 hangs serializing an infinity,
// and its float packing turns a subnormal into one, so those go as 0 too).
//
// The types are walked from the block itself (caf::id_block::dtf), so a type
// added there is covered here (or this file stops compiling); their fields are
// listed by structured bindings (DTF_FIELDS), so a field added to a message
// struct stops the build here until it is generated and compared too. An
// `inspect` overload that leaves a field out fails the property.
#include "wire_round_trip.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace dtf {
namespace {

// -- every field of every message struct --------------------------------------

#define DTF_FIELDS(Type, ...)                                                                                     \
  [[maybe_unused]] auto fields(Type& x) {                                                                         \
    auto& [__VA_ARGS__] = x;                                                                                      \
    return std::tie(__VA_ARGS__);                                                                                 \
  }                                                                                                               \
  [[maybe_unused]] auto fields(const Type& x) {                                                                   \
    const auto& [__VA_ARGS__] = x;                                                                                \
    return std::tie(__VA_ARGS__);                                                                                 \
  }

DTF_FIELDS(task_requirements, a, b, c, d, e, f, g, h)
DTF_FIELDS(task, a, b, c, d, e, f, g, h, i, j, k, l, m)
DTF_FIELDS(task_result, a, b, c, d, e, f, g, h, i, j)
DTF_FIELDS(worker_capability, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t)
DTF_FIELDS(worker_metrics, a, b, c, d, e)
DTF_FIELDS(worker_metrics_report, a, b)
DTF_FIELDS(work_order, a, b, c, d)
DTF_FIELDS(attempt_record, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x2, y, z, aa, ab)
DTF_FIELDS(task_update, a, b, c, d, e, f, g, h, i)
DTF_FIELDS(worker_load, a, b, c, d, e)
DTF_FIELDS(runtime_stats, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s)
DTF_FIELDS(assignment, a, b, c, d, e, f, g, h)
DTF_FIELDS(unplaceable_task, a, b)
DTF_FIELDS(stranded_task, a, b, c)
DTF_FIELDS(scheduling_round, a, b, c, d)
DTF_FIELDS(requeue_request, a, b)
DTF_FIELDS(result_effect, a, b, c)

template <class T>
concept has_fields = requires(T& x) { fields(x); };

// -- random values ----------------------------------------------------------------

/// Any double, with the non-finite ones and the extremes often.
double any_double() {
  return *rc::gen::weightedOneOf<double>({
    {1, rc::gen::just(std::numeric_limits<double>::infinity())},
    {1, rc::gen::just(-std::numeric_limits<double>::infinity())},
    {1, rc::gen::just(std::numeric_limits<double>::quiet_NaN())},
    {1, rc::gen::just(std::numeric_limits<double>::max())},
    {1, rc::gen::just(std::numeric_limits<double>::lowest())},
    {1, rc::gen::just(std::numeric_limits<double>::denorm_min())},
    {4, rc::gen::arbitrary<double>()},
  });
}

template <class E, std::size_t N>
E one_of(const E (&values)[N]) {
  return *rc::gen::elementOf(std::vector<E>(std::begin(values), std::end(values)));
}

void fill(double& x) { x = any_double(); }
void fill(bool& x) { x = *rc::gen::arbitrary<bool>(); }
void fill(std::string& x) { x = *rc::gen::arbitrary<std::string>(); }
template <class I>
  requires std::is_integral_v<I>
void fill(I& x) {
  x = *rc::gen::arbitrary<I>();
}
void fill(task_type& x) { x = one_of({task_type::benchmark, task_type::test, task_type::custom}); }
void fill(device_kind& x) { x = one_of({device_kind::cpu, device_kind::cuda, device_kind::rocm}); }
void fill(task_status& x) {
  x = one_of({task_status::pending, task_status::assigned, task_status::running, task_status::succeeded,
              task_status::failed, task_status::timed_out, task_status::cancelled, task_status::lost});
}
void fill(task_event_kind& x) {
  x = one_of({task_event_kind::accepted, task_event_kind::rejected, task_event_kind::assigned,
              task_event_kind::started, task_event_kind::attempt_done, task_event_kind::retrying,
              task_event_kind::finished, task_event_kind::unplaceable});
}

template <has_fields T>
void fill(T& x);
template <class A, class B>
void fill(std::pair<A, B>& x);

std::size_t small_size() { return *rc::gen::inRange<std::size_t>(0, 4); }

template <class T>
void fill(std::optional<T>& x) {
  x.reset();
  if (*rc::gen::arbitrary<bool>()) fill(x.emplace());
}
template <class T>
void fill(std::vector<T>& x) {
  x.resize(small_size());
  for (auto& e : x) fill(e);
}
template <class K, class V>
void fill(std::map<K, V>& x) {
  x.clear();
  for (auto n = small_size(); n > 0; --n) {
    K k{};
    V v{};
    fill(k);
    fill(v);
    x.insert_or_assign(std::move(k), std::move(v));
  }
}
template <class A, class B>
void fill(std::pair<A, B>& x) {
  fill(x.first);
  fill(x.second);
}
template <has_fields T>
void fill(T& x) {
  std::apply([](auto&... field) { (fill(field), ...); }, fields(x));
}

// -- what must come back ----------------------------------------------------------

template <has_fields T>
bool same(const T& sent, const T& got);
template <class A, class B>
bool same(const std::pair<A, B>& sent, const std::pair<A, B>& got);

/// Finite doubles keep their value; anything else (NaN, an infinity, a
/// subnormal, which CAF 0.17's float packing would turn into an infinity)
/// arrives as 0.
bool same(double sent, double got) {
  const bool travels = std::isnormal(sent) || sent == 0.0;
  return got == (travels ? sent : 0.0);
}
template <class T>
  requires(!has_fields<T> && !std::is_same_v<T, double>)
bool same(const T& sent, const T& got) {
  return sent == got;
}
template <class T>
bool same(const std::optional<T>& sent, const std::optional<T>& got) {
  return sent.has_value() == got.has_value() && (!sent || same(*sent, *got));
}
template <class T>
bool same(const std::vector<T>& sent, const std::vector<T>& got) {
  if (sent.size() != got.size()) return false;
  for (std::size_t i = 0; i < sent.size(); ++i)
    if (!same(sent[i], got[i])) return false;
  return true;
}
/// Named metrics: the ones that do not travel are dropped, the rest keep their value.
bool same(const std::map<std::string, double>& sent, const std::map<std::string, double>& got) {
  std::map<std::string, double> travelled;
  for (const auto& [name, value] : sent)
    if (std::isnormal(value) || value == 0.0) travelled.emplace(name, value);
  return travelled == got;
}
template <class A, class B>
bool same(const std::pair<A, B>& sent, const std::pair<A, B>& got) {
  return same(sent.first, got.first) && same(sent.second, got.second);
}
template <has_fields T>
bool same(const T& sent, const T& got) {
  return std::apply(
      [&](const auto&... s) {
        return std::apply([&](const auto&... g) { return (same(s, g) && ...); }, fields(got));
      },
      fields(sent));
}

// -- the property, for every type of the block ---------------------------------

struct message_round_trip : testing::wire_round_trip {
  template <class T>
  void check_type() {
    const std::string name = caf::type_name<T>::value;
    const bool held = rc::check("every field of " + name + " comes back, clamped finite", [this] {
      T sent{};
      fill(sent);
      std::string error;
      const auto got = through_the_wire(sent, &error);
      if (!got) RC_FAIL(error);
      RC_ASSERT(same(sent, *got));
    });
    EXPECT_TRUE(held) << name;
  }

  template <caf::type_id_t... Offsets>
  void check_block(std::integer_sequence<caf::type_id_t, Offsets...>) {
    (check_type<typename caf::type_by_id<static_cast<caf::type_id_t>(caf::id_block::dtf::begin + Offsets)>::type>(),
     ...);
  }
};

TEST_F(message_round_trip, every_type_of_the_block_comes_back_field_for_field_with_doubles_clamped_finite) {
  constexpr auto count = static_cast<caf::type_id_t>(caf::id_block::dtf::end - caf::id_block::dtf::begin);
  static_assert(count >= 21, "the block lists every message type");
  check_block(std::make_integer_sequence<caf::type_id_t, count>{});
}

// The comparison is not vacuous: a field left out by `inspect` (the way
// `backup` once was) is seen.
TEST_F(message_round_trip, a_field_that_did_not_travel_is_seen) {
  assignment sent;
  sent.task_id = "t";
  sent.backup = true;
  assignment got = sent;
  got.backup = false;
  EXPECT_FALSE(same(sent, got));
  attempt_record record;
  record.metrics = {{"nan", std::numeric_limits<double>::quiet_NaN()}, {"x", 1.5}};
  attempt_record arrived = record;
  arrived.metrics.erase("nan");
  EXPECT_TRUE(same(record, arrived)) << "a non-finite metric is dropped";
  arrived.metrics.clear();
  EXPECT_FALSE(same(record, arrived));
}

} // namespace
} // namespace dtf
