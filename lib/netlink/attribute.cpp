// psample-cpp layer 1: the bounds-checked attribute walk.
#include "psample/netlink/attribute.hpp"

namespace psample::netlink {

bool AttributeReader::next(Attribute& out) noexcept {
  const size_t remaining = range_.size() - position_;
  if (remaining < attribute_header_size) {
    if (remaining != 0) failure_ = "trailing bytes shorter than an attribute header";
    return false;
  }
  const uint8_t* header = range_.data() + position_;
  const uint16_t length = load_u16(header);
  if (length < attribute_header_size) {
    failure_ = "attribute length below 4";
    return false;
  }
  if (length > remaining) {
    failure_ = "attribute length runs past the end of its container";
    return false;
  }
  out = Attribute(load_u16(header + 2), ByteView(header + attribute_header_size, length - attribute_header_size),
                  position_);
  const size_t advance = align4(length);
  position_ = advance < remaining ? position_ + advance : range_.size();
  return true;
}

}  // namespace psample::netlink
