// psample-cpp layer 1: what errnos mean, in one place.
#include "netlink/socket_errors.hpp"

#include <cerrno>
#include <cstring>

namespace psample::netlink::detail {

ErrorCode code_for_errno(int err, ErrorCode otherwise) noexcept {
  return err == EPERM || err == EACCES ? ErrorCode::permission_denied : otherwise;
}

Error system_error(int err, const char* what) noexcept {
  return Error(code_for_errno(err, ErrorCode::system), err, "%s failed: %s", what, std::strerror(err));
}

Error receive_error(int err, const char* call) noexcept {
  switch (err) {
    case ENOBUFS:
      return Error(ErrorCode::overrun, err,
                   "netlink socket overrun: the kernel dropped messages because the receive buffer was full; "
                   "raise the receive buffer size or read faster");
    case EAGAIN:
#if EAGAIN != EWOULDBLOCK
    case EWOULDBLOCK:
#endif
      return Error(ErrorCode::would_block, err, "no datagram queued");
    case EINTR: return Error(ErrorCode::interrupted, err, "receive interrupted by a signal");
    default: return system_error(err, call);
  }
}

}  // namespace psample::netlink::detail
