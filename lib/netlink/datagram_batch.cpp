// psample-cpp layer 1: recvmmsg into a slotted buffer.
#include "psample/netlink/datagram_batch.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlink/socket_errors.hpp"

namespace psample::netlink {

namespace {

// Where the parts of the storage start: headers first, the bytes after them.
constexpr size_t header_bytes = sizeof(mmsghdr) + sizeof(iovec) + sizeof(sockaddr_nl);
inline mmsghdr* messages(uint8_t* storage) noexcept { return reinterpret_cast<mmsghdr*>(storage); }
inline iovec* vectors(uint8_t* storage, size_t slots) noexcept {
  return reinterpret_cast<iovec*>(storage + slots * sizeof(mmsghdr));
}
inline sockaddr_nl* senders(uint8_t* storage, size_t slots) noexcept {
  return reinterpret_cast<sockaddr_nl*>(storage + slots * (sizeof(mmsghdr) + sizeof(iovec)));
}
inline size_t data_offset(size_t slots) noexcept { return (slots * header_bytes + 63) & ~size_t(63); }

}  // namespace

DatagramBatch::DatagramBatch(size_t slots, size_t slot_bytes) noexcept
    : storage_(allocate_bytes(data_offset(slots) + slots * slot_bytes)), slot_bytes_(slot_bytes) {
  if (!storage_) return;
  slots_ = slots;
  data_ = storage_.get() + data_offset(slots);
  mmsghdr* m = messages(storage_.get());
  iovec* v = vectors(storage_.get(), slots);
  sockaddr_nl* a = senders(storage_.get(), slots);
  for (size_t i = 0; i < slots; ++i) {
    v[i] = iovec{data_ + i * slot_bytes, slot_bytes};
    m[i] = mmsghdr{};
    m[i].msg_hdr.msg_iov = &v[i];
    m[i].msg_hdr.msg_iovlen = 1;
    m[i].msg_hdr.msg_name = &a[i];
  }
}

DatagramBatch::~DatagramBatch() = default;

Result<size_t> DatagramBatch::receive(const Socket& socket, size_t count, bool wait) noexcept {
  if (count > slots_) count = slots_;
  mmsghdr* m = messages(storage_.get());
  for (size_t i = 0; i < count; ++i) {
    m[i].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
    m[i].msg_hdr.msg_flags = 0;
  }
  // MSG_TRUNC makes msg_len the datagram's real length; MSG_WAITFORONE waits
  // for the first datagram only, then takes what is queued.
  const int flags = MSG_TRUNC | (wait ? MSG_WAITFORONE : MSG_DONTWAIT);
  const int received = ::recvmmsg(socket.fd(), m, static_cast<unsigned>(count), flags, nullptr);
  if (received < 0) return detail::receive_error(errno, "recvmmsg(netlink)");
  return static_cast<size_t>(received);
}

Result<size_t> DatagramBatch::receive_one(const Socket& socket, bool wait) noexcept {
  if (slots_ == 0) return detail::receive_error(EAGAIN, "recvfrom(netlink)");
  socklen_t length = sizeof(sockaddr_nl);
  const ssize_t received = ::recvfrom(socket.fd(), data_, slot_bytes_, MSG_TRUNC | (wait ? 0 : MSG_DONTWAIT),
                                      reinterpret_cast<sockaddr*>(senders(storage_.get(), slots_)), &length);
  if (received < 0) return detail::receive_error(errno, "recvfrom(netlink)");
  mmsghdr& first = messages(storage_.get())[0];
  first.msg_len = static_cast<unsigned>(received);  // the real length (MSG_TRUNC)
  first.msg_hdr.msg_flags = 0;
  return size_t(1);
}

ByteView DatagramBatch::bytes(size_t i) const noexcept {
  const size_t length = messages(storage_.get())[i].msg_len;
  return ByteView(data_ + i * slot_bytes_, length < slot_bytes_ ? length : slot_bytes_);
}

uint32_t DatagramBatch::sender_port(size_t i) const noexcept { return senders(storage_.get(), slots_)[i].nl_pid; }

bool DatagramBatch::truncated(size_t i) const noexcept {
  const mmsghdr& m = messages(storage_.get())[i];
  return m.msg_len > slot_bytes_ || (m.msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

MutableByteView DatagramBatch::slot(size_t i) const noexcept {
  return MutableByteView(data_ + i * slot_bytes_, slot_bytes_);
}

}  // namespace psample::netlink
