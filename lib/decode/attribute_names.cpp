// psample-cpp layer 2: attribute names for error messages and tools.
#include "psample/protocol.hpp"

namespace psample {

const char* attr::name(uint16_t attribute) noexcept {
  static constexpr const char* names[attr::count] = {"IIFINDEX",
                                                     "OIFINDEX",
                                                     "ORIGSIZE",
                                                     "SAMPLE_GROUP",
                                                     "GROUP_SEQ",
                                                     "SAMPLE_RATE",
                                                     "DATA",
                                                     "GROUP_REFCOUNT",
                                                     "TUNNEL",
                                                     "PAD",
                                                     "OUT_TC",
                                                     "OUT_TC_OCC",
                                                     "LATENCY",
                                                     "TIMESTAMP",
                                                     "PROTO",
                                                     "USER_COOKIE",
                                                     "SAMPLE_PROBABILITY"};
  return attribute < attr::count ? names[attribute] : "unknown";
}

const char* tunnel_attr::name(uint16_t attribute) noexcept {
  static constexpr const char* names[tunnel_attr::count] = {
      "ID",  "IPV4_SRC",    "IPV4_DST",        "TOS",    "TTL",        "DONT_FRAGMENT", "CSUM",
      "OAM", "GENEVE_OPTS", "TP_SRC",          "TP_DST", "VXLAN_OPTS", "IPV6_SRC",      "IPV6_DST",
      "PAD", "ERSPAN_OPTS", "IPV4_INFO_BRIDGE"};
  return attribute < tunnel_attr::count ? names[attribute] : "unknown";
}

}  // namespace psample
