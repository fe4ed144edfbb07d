// psample-cpp layer 1: recvmmsg into a slotted buffer.
#include "psample/netlink/datagram_batch.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlink/receive_error.hpp"

namespace psample::netlink {

// recvmmsg wants the mmsghdrs contiguous; each points at its iovec and address.
struct DatagramBatch::Headers {
  explicit Headers(size_t slots)
      : messages(new mmsghdr[slots]()), vectors(new iovec[slots]()), senders(new sockaddr_nl[slots]()) {}
  std::unique_ptr<mmsghdr[]> messages;
  std::unique_ptr<iovec[]> vectors;
  std::unique_ptr<sockaddr_nl[]> senders;
};

DatagramBatch::DatagramBatch() noexcept = default;
DatagramBatch::DatagramBatch(DatagramBatch&&) noexcept = default;
DatagramBatch& DatagramBatch::operator=(DatagramBatch&&) noexcept = default;
DatagramBatch::~DatagramBatch() = default;

DatagramBatch::DatagramBatch(size_t slots, size_t slot_bytes)
    : data_(new uint8_t[slots * slot_bytes]), headers_(new Headers(slots)), slots_(slots), slot_bytes_(slot_bytes) {
  for (size_t i = 0; i < slots; ++i) {
    headers_->vectors[i].iov_base = data_.get() + i * slot_bytes;
    headers_->vectors[i].iov_len = slot_bytes;
    msghdr& header = headers_->messages[i].msg_hdr;
    header.msg_iov = &headers_->vectors[i];
    header.msg_iovlen = 1;
    header.msg_name = &headers_->senders[i];
  }
}

Result<size_t> DatagramBatch::receive(const Socket& socket, size_t count, bool wait) noexcept {
  if (count > slots_) count = slots_;
  mmsghdr* messages = headers_->messages.get();
  for (size_t i = 0; i < count; ++i) {
    messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
    messages[i].msg_hdr.msg_flags = 0;
    messages[i].msg_len = 0;
  }
  // MSG_TRUNC makes msg_len the datagram's real length; MSG_WAITFORONE waits
  // for the first datagram only, then takes what is queued.
  const int flags = MSG_TRUNC | (wait ? MSG_WAITFORONE : MSG_DONTWAIT);
  const int received = ::recvmmsg(socket.fd(), messages, static_cast<unsigned>(count), flags, nullptr);
  if (received < 0) return detail::receive_error(errno, "recvmmsg(netlink)");
  return static_cast<size_t>(received);
}

Result<size_t> DatagramBatch::receive_one(const Socket& socket, bool wait) noexcept {
  mmsghdr& message = headers_->messages[0];
  socklen_t length = sizeof(sockaddr_nl);
  const ssize_t received = ::recvfrom(socket.fd(), data_.get(), slot_bytes_, MSG_TRUNC | (wait ? 0 : MSG_DONTWAIT),
                                      reinterpret_cast<sockaddr*>(&headers_->senders[0]), &length);
  if (received < 0) return detail::receive_error(errno, "recvfrom(netlink)");
  message.msg_len = static_cast<unsigned>(received);  // the real length (MSG_TRUNC)
  message.msg_hdr.msg_flags = 0;
  return size_t(1);
}

ByteView DatagramBatch::bytes(size_t i) const noexcept {
  const size_t length = headers_->messages[i].msg_len;
  return ByteView(data_.get() + i * slot_bytes_, length < slot_bytes_ ? length : slot_bytes_);
}

uint32_t DatagramBatch::sender_port(size_t i) const noexcept { return headers_->senders[i].nl_pid; }

bool DatagramBatch::truncated(size_t i) const noexcept {
  const mmsghdr& m = headers_->messages[i];
  return m.msg_len > slot_bytes_ || (m.msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

MutableByteView DatagramBatch::slot(size_t i) const noexcept {
  return MutableByteView(data_.get() + i * slot_bytes_, slot_bytes_);
}

}  // namespace psample::netlink
