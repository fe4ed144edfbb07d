// psample-cpp layer 1: the bounds-checked attribute walk.
#include "psample/netlink/attribute.hpp"

#include <cstdio>

namespace psample::netlink {

const char* fault_text(AttributeFault fault) noexcept {
  static const char* const texts[] = {"no fault", "trailing bytes shorter than an attribute header",
                                      "attribute length below 4",
                                      "attribute length runs past the end of its container"};
  return texts[static_cast<uint8_t>(fault) & 3];
}

const char* describe_width(const AttributeSpec& spec, char (&out)[64]) noexcept {
  // Indexed by Width, then one for a string of any length.
  static const char* const formats[] = {"%u",
                                        "%u or %u",
                                        "at most %u",
                                        "any",
                                        "0 (a flag)",
                                        "any",
                                        "a NUL-terminated string of at most %u characters",
                                        "a NUL-terminated string"};
  auto w = static_cast<uint8_t>(spec.width);
  if (w > 6 || (spec.width == Width::string && spec.size == 0)) w = spec.width == Width::string ? 7 : 3;
  std::snprintf(out, sizeof out, formats[w], spec.size, spec.other);
  return out;
}

bool AttributeReader::next(Attribute& out) noexcept {
  const size_t remaining = range_.size() - position_;
  if (remaining < attribute_header_size) {
    if (remaining != 0) fault_ = AttributeFault::trailing_bytes;
    return false;
  }
  const uint8_t* header = range_.data() + position_;
  const uint16_t length = load_u16(header);
  if (!attribute_fits(length, remaining - attribute_header_size)) {
    fault_ = framing_fault(length);
    return false;
  }
  out = Attribute(load_u16(header + 2), ByteView(header + attribute_header_size, length - attribute_header_size),
                  position_);
  const size_t advance = align4(length);
  position_ = advance < remaining ? position_ + advance : range_.size();
  return true;
}

}  // namespace psample::netlink
