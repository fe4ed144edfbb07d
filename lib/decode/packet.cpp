// psample-cpp layer 2: Packet, the owning copy of a sample.
#include "psample/packet.hpp"

#include <cstring>
#include <utility>

#include "decode/tunnel_key.hpp"

namespace psample {

Packet::Packet(const PacketView& view) : SampleFields(view) {
  const ByteView parts[] = {view.data(), view.user_cookie(), view.tunnel_attributes()};
  size_t total = 0;
  for (const ByteView& part : parts) total += part.size();
  uint8_t* storage = inline_;
  if (total > inline_capacity) storage = heap_ = new uint8_t[total];
  size_ = total;

  Slice* slices[] = {nullptr, &cookie_, &tunnel_};
  size_t offset = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (!parts[i].empty()) std::memcpy(storage + offset, parts[i].data(), parts[i].size());
    if (slices[i] != nullptr) *slices[i] = Slice{static_cast<uint32_t>(offset), static_cast<uint32_t>(parts[i].size())};
    offset += parts[i].size();
  }
}

TunnelView Packet::tunnel() const noexcept { return detail::tunnel_key(has_tunnel(), slice(tunnel_)); }

void Packet::copy_layout(const Packet& other) noexcept {
  static_cast<SampleFields&>(*this) = other;
  cookie_ = other.cookie_;
  tunnel_ = other.tunnel_;
  size_ = other.size_;
}

void Packet::copy_from(const Packet& other) {
  copy_layout(other);
  uint8_t* storage = inline_;
  if (other.heap_ != nullptr) storage = heap_ = new uint8_t[size_];
  if (size_ != 0) std::memcpy(storage, other.bytes(), size_);
}

void Packet::release() noexcept {
  delete[] heap_;
  heap_ = nullptr;
  size_ = 0;
}

Packet::Packet(const Packet& other) : SampleFields(other) { copy_from(other); }

void Packet::move_from(Packet& other) noexcept {
  if (other.heap_ == nullptr) {
    copy_from(other);  // inline bytes: a copy is all a move can do; it cannot allocate
  } else {
    copy_layout(other);
    heap_ = std::exchange(other.heap_, nullptr);
  }
  // Leave `other` an empty packet whose views stay inside its own storage.
  other.size_ = 0;
  other.data_length_ = 0;
  other.cookie_ = other.tunnel_ = Slice{};
}

Packet::Packet(Packet&& other) noexcept : SampleFields(other) { move_from(other); }

Packet& Packet::operator=(const Packet& other) {
  if (this != &other) {
    release();
    copy_from(other);
  }
  return *this;
}

Packet& Packet::operator=(Packet&& other) noexcept {
  if (this != &other) {
    release();
    move_from(other);
  }
  return *this;
}

Packet::~Packet() { release(); }

}  // namespace psample
