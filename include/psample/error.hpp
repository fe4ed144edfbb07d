// psample-cpp: the error type every fallible call returns (nothing throws).
#pragma once

#include <cstdint>

#include "psample/export.hpp"

namespace psample {

// What went wrong, coarsely; Error::message() says what to do about it.
enum class ErrorCode : uint8_t {
  system,             // a system call failed; Error::system_errno() says which errno
  family_not_found,   // the generic netlink family is not registered (module not loaded)
  group_not_found,    // the family has no multicast group of that name
  permission_denied,  // EPERM/EACCES: the operation needs CAP_NET_ADMIN
  kernel_error,       // the kernel answered a request with NLMSG_ERROR
  truncated,          // a datagram was larger than the receive buffer; it was not parsed
  malformed,          // bytes that break the netlink/psample structure rules
  not_a_sample,       // a well-formed psample message whose command is not SAMPLE
  overrun,            // the socket's receive buffer overflowed (ENOBUFS); samples were lost
  would_block,        // non-blocking socket and nothing queued
  interrupted,        // a signal interrupted the wait (EINTR)
  buffer_too_small,   // a caller-provided buffer cannot hold the request
  invalid_argument,   // the caller passed an option or value that cannot work
  dump_interrupted,   // a dump's state changed while it was read (NLM_F_DUMP_INTR); ask again
};

// A short stable name for an error code, e.g. "family_not_found".
PSAMPLE_API const char* to_string(ErrorCode code) noexcept;

// An error value: code, errno, a human message that says what to do, and the
// kernel's extended-ack text when the kernel sent one. Fixed size, no allocation.
class PSAMPLE_API Error {
 public:
  static constexpr unsigned message_capacity = 192;
  static constexpr unsigned kernel_message_capacity = 128;

  Error() noexcept = default;
  // Builds an error; `format` is printf-style and is truncated to fit.
  Error(ErrorCode code, int system_errno, const char* format, ...) noexcept
#if defined(__GNUC__)
      __attribute__((format(printf, 4, 5)))
#endif
      ;

  ErrorCode code() const noexcept { return code_; }
  // The errno behind the error, or 0 when none applies.
  int system_errno() const noexcept { return errno_; }
  // What happened and what to do, for a person.
  const char* message() const noexcept { return message_; }
  // The kernel's extended-ack message (NLMSGERR_ATTR_MSG), or "" when absent.
  const char* kernel_message() const noexcept { return kernel_message_; }
  void set_kernel_message(const char* text, unsigned length) noexcept;
  // The extended ack's NLMSGERR_ATTR_OFFS: the byte offset in the request of
  // the attribute the kernel refused, or 0 when it gave none (an attribute
  // never starts at 0). psample/netlink/request_layout.hpp names it.
  uint32_t kernel_offset() const noexcept { return kernel_offset_; }
  void set_kernel_offset(uint32_t offset) noexcept { kernel_offset_ = offset; }

 private:
  ErrorCode code_ = ErrorCode::system;
  int errno_ = 0;
  char message_[message_capacity] = {};
  char kernel_message_[kernel_message_capacity] = {};
  uint32_t kernel_offset_ = 0;
};

}  // namespace psample
