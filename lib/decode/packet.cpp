// psample-cpp layer 2: Packet, the owning copy of a sample.
#include "psample/packet.hpp"

#include <cstdlib>
#include <cstring>
#include <utility>

#include "decode/tunnel_key.hpp"

namespace psample {

// Copies every bytes attribute of `view` (sample_attributes rows of width any,
// at_most or nested) one after another into this Packet's storage, and points
// their slots at the copies.
Packet::Packet(const PacketView& view) noexcept : SampleFields(view) {
  constexpr uint32_t bytes_slots = bytes_mask();
  size_t total = 0;
  for (uint32_t left = present_ & bytes_slots; left != 0; left &= left - 1) {
    total += span_length(static_cast<uint16_t>(__builtin_ctz(left)));
  }
  uint8_t* storage = inline_;
  if (total > inline_capacity) {
    storage = heap_ = static_cast<uint8_t*>(std::malloc(total));
    if (heap_ == nullptr) {
      drop_bytes();
      return;
    }
  }
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

void Packet::copy_from(const Packet& other) noexcept {
  static_cast<SampleFields&>(*this) = other;
  complete_ = other.complete_;
  size_ = other.size_;
  uint8_t* storage = inline_;
  if (other.heap_ != nullptr) {
    storage = heap_ = static_cast<uint8_t*>(std::malloc(size_));
    if (heap_ == nullptr) {
      drop_bytes();
      return;
    }
  }
  if (size_ != 0) std::memcpy(storage, other.storage(), size_);
}

// Out of memory: the fields stay, the bytes attributes go.
void Packet::drop_bytes() noexcept {
  present_ &= ~bytes_mask();
  for (uint32_t a = 0; a < attr::count; ++a)
    if (is_bytes(static_cast<uint16_t>(a))) values_[a] = 0;
  size_ = 0;
  complete_ = false;
}

void Packet::release() noexcept {
  std::free(heap_);
  heap_ = nullptr;
  size_ = 0;
  complete_ = true;
}

Packet::Packet(const Packet& other) noexcept : SampleFields(other) { copy_from(other); }

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
  other.complete_ = true;
}

Packet::Packet(Packet&& other) noexcept : SampleFields(other) { move_from(other); }

Packet& Packet::operator=(const Packet& other) noexcept {
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
