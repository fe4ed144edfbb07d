// psample-cpp layer 2: Open vSwitch's USER_COOKIE convention.
#pragma once

#include <cstdint>
#include <optional>

#include "psample/bytes.hpp"

namespace psample {

// What Open vSwitch's psample action puts in an 8-byte cookie: the
// observation domain id and the observation point id (IPFIX's
// observationDomainId / observationPointId), each a big-endian u32.
struct ObservationIds {
  uint32_t domain = 0;
  uint32_t point = 0;
};

// The ids in `cookie` when it is exactly 8 bytes; empty otherwise.
constexpr std::optional<ObservationIds> observation_ids(ByteView cookie) noexcept {
  if (cookie.size() != 8) return std::nullopt;
  auto be32 = [&](size_t at) {
    return uint32_t(cookie[at]) << 24 | uint32_t(cookie[at + 1]) << 16 | uint32_t(cookie[at + 2]) << 8 |
           uint32_t(cookie[at + 3]);
  };
  return ObservationIds{be32(0), be32(4)};
}

}  // namespace psample
