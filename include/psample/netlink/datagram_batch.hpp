// psample-cpp layer 1: many datagrams per receive syscall (recvmmsg).
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/heap.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

// A receive buffer cut into `slots` slots of `slot_bytes` each, filled by one
// recvmmsg call: one syscall takes every datagram queued, up to the slot count.
// The buffer is reserved, not touched: only the bytes datagrams fill become
// resident. What receive() returned stays valid until the next call.
class PSAMPLE_API DatagramBatch {
 public:
  // `slots` may be 0 (a batch that receives nothing, for a detached Receiver).
  // Out of memory, the batch has 0 slots: check slots().
  DatagramBatch(size_t slots, size_t slot_bytes) noexcept;
  DatagramBatch(const DatagramBatch&) = delete;
  DatagramBatch& operator=(const DatagramBatch&) = delete;
  ~DatagramBatch();

  // Receives up to `count` datagrams (at most slots()). With `wait`, blocks
  // for the first one (the socket's receive timeout applies), then takes what
  // else is queued without waiting; without, takes only what is queued.
  // Returns how many arrived, at least 1. Errors as Socket::receive():
  // overrun (ENOBUFS, reported once), would_block (nothing queued, or the
  // timeout passed), interrupted (a signal), system.
  Result<size_t> receive(const Socket& socket, size_t count, bool wait) noexcept;
  // Receives one datagram into slot 0 with recvfrom, the cheapest receive
  // syscall per datagram when no more are queued. Returns 1; errors as above.
  Result<size_t> receive_one(const Socket& socket, bool wait) noexcept;

  // Datagram `i` of the last receive(). A truncated one (longer than its slot)
  // has been consumed by the kernel and must not be parsed.
  ByteView bytes(size_t i) const noexcept;
  uint32_t sender_port(size_t i) const noexcept;
  bool truncated(size_t i) const noexcept;

  // Slot `i` as a plain buffer (for requests and single receives).
  MutableByteView slot(size_t i) const noexcept;
  size_t slots() const noexcept { return slots_; }
  size_t slot_bytes() const noexcept { return slot_bytes_; }

 private:
  // One allocation: `slots` mmsghdrs (contiguous, as recvmmsg wants), their
  // iovecs and sender addresses, then the slots' bytes.
  MallocArray<uint8_t> storage_;
  uint8_t* data_ = nullptr;
  size_t slots_ = 0;
  size_t slot_bytes_ = 0;
};

}  // namespace psample::netlink
