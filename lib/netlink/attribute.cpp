// psample-cpp layer 1: the bounds-checked attribute walk.
#include "psample/netlink/attribute.hpp"

#include <cstdio>

namespace psample::netlink {

const char* describe_width(const AttributeSpec& spec, char (&out)[64]) noexcept {
  switch (spec.width) {
    case Width::exact: std::snprintf(out, sizeof out, "%u", spec.size); break;
    case Width::either: std::snprintf(out, sizeof out, "%u or %u", spec.size, spec.other); break;
    case Width::at_most: std::snprintf(out, sizeof out, "at most %u", spec.size); break;
    case Width::flag: std::snprintf(out, sizeof out, "0 (a flag)"); break;
    case Width::string:
      if (spec.size == 0)
        std::snprintf(out, sizeof out, "a NUL-terminated string");
      else
        std::snprintf(out, sizeof out, "a NUL-terminated string of at most %u characters", spec.size);
      break;
    case Width::any:
    case Width::nested: std::snprintf(out, sizeof out, "any"); break;
  }
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
  if (length < attribute_header_size) {
    fault_ = AttributeFault::length_below_header;
    return false;
  }
  if (length > remaining) {
    fault_ = AttributeFault::past_end;
    return false;
  }
  out = Attribute(load_u16(header + 2), ByteView(header + attribute_header_size, length - attribute_header_size),
                  position_);
  const size_t advance = align4(length);
  position_ = advance < remaining ? position_ + advance : range_.size();
  return true;
}

}  // namespace psample::netlink
