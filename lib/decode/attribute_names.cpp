// psample-cpp layer 2: attribute names, from the attribute tables (protocol.hpp).
#include "psample/protocol.hpp"

namespace psample {

const char* attr::name(uint16_t attribute) noexcept {
  return attribute < attr::count ? sample_attributes[attribute].name : "unknown";
}

const AttributeSpec& attr::spec(uint16_t attribute) noexcept { return sample_attributes[attribute]; }

const AttributeSpec& tunnel_attr::spec(uint16_t attribute) noexcept { return tunnel_attributes[attribute]; }

const char* tunnel_attr::name(uint16_t attribute) noexcept {
  return attribute < tunnel_attr::count ? tunnel_attributes[attribute].name : "unknown";
}

}  // namespace psample
