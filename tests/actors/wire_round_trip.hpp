#pragma once
// What the serialization tests share: an actor system with dtf's types, and a
// value sent through CAF's binary serializer as a caf::message (the way the
// middleman sends it between processes) and read back.
#include "actors/system_setup.hpp"
#include "actors/type_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace dtf::testing {

struct wire_round_trip : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{init(cfg)};

  static caf::actor_system_config& init(caf::actor_system_config& c) {
    configure_actor_system(c, 1);
    return c;
  }

  /// x after the trip, or nullopt with *error saying what failed.
  template <class T>
  std::optional<T> through_the_wire(const T& x, std::string* error) {
    auto msg = caf::make_message(x);
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    if (auto err = sink(msg)) {
      *error = "serializing: " + sys.render(err);
      return std::nullopt;
    }
    caf::message copy;
    caf::binary_deserializer source{sys, buf};
    if (auto err = source(copy)) {
      *error = "deserializing: " + sys.render(err);
      return std::nullopt;
    }
    if (!copy.match_elements<T>()) {
      *error = "a message of another type came back";
      return std::nullopt;
    }
    return copy.get_as<T>(0);
  }
};

} // namespace dtf::testing
