// psample-cpp layer 1 (private): what failed socket calls mean (socket_errors.cpp).
#pragma once

#include "psample/error.hpp"

namespace psample::netlink::detail {

// The code an errno means wherever it comes from (a syscall, or a kernel's
// NLMSG_ERROR): EPERM/EACCES permission_denied, otherwise `otherwise`.
ErrorCode code_for_errno(int err, ErrorCode otherwise) noexcept;

// Maps a recvmsg/recvmmsg errno: ENOBUFS is overrun, EAGAIN would_block,
// EINTR interrupted, EPERM/EACCES permission_denied, the rest system.
Error receive_error(int err, const char* call) noexcept;

// The same mapping for any socket call that is not a receive.
Error system_error(int err, const char* what) noexcept;

}  // namespace psample::netlink::detail
