// psample-cpp layer 2: Packet, the owning copy of a sample.
#include "psample/packet.hpp"

#include <cstring>
#include <utility>

#include "decode/tunnel_key.hpp"

namespace psample {

// Copies every bytes attribute of `view` (sample_attributes rows of width any,
// at_most or nested) one after another into this Packet's storage, and points
// their slots at the copies.
Packet::Packet(const PacketView& view) : SampleFields(view) {
  constexpr uint32_t bytes_slots = bytes_mask();
  size_t total = 0;
  for (uint32_t left = present_ & bytes_slots; left != 0; left &= left - 1) {
    total += span_length(static_cast<uint16_t>(__builtin_ctz(left)));
  }
  uint8_t* storage = inline_;
  if (total > inline_capacity) storage = heap_ = new uint8_t[total];
  size_ = total;
  size_t offset = 0;
  for (uint32_t left = present_ & bytes_slots; left != 0; left &= left - 1) {
    const auto a = static_cast<uint16_t>(__builtin_ctz(left));
    const ByteView part = view.bytes(a);
    if (!part.empty()) std::memcpy(storage + offset, part.data(), part.size());
    values_[a] = static_cast<uint64_t>(offset) << 32 | part.size();
    offset += part.size();
  }
}

TunnelView Packet::tunnel() const noexcept { return detail::tunnel_key(has_tunnel(), tunnel_attributes()); }

void Packet::copy_from(const Packet& other) {
  static_cast<SampleFields&>(*this) = other;
  size_ = other.size_;
  uint8_t* storage = inline_;
  if (other.heap_ != nullptr) storage = heap_ = new uint8_t[size_];
  if (size_ != 0) std::memcpy(storage, other.storage(), size_);
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
    static_cast<SampleFields&>(*this) = other;
    size_ = other.size_;
    heap_ = std::exchange(other.heap_, nullptr);
  }
  // Leave `other` an empty packet: no fields, no bytes.
  static_cast<SampleFields&>(other) = SampleFields();
  other.size_ = 0;
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
