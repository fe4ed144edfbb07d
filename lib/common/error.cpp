// psample-cpp: Error formatting and error-code names.
#include "psample/error.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace psample {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::system: return "system";
    case ErrorCode::family_not_found: return "family_not_found";
    case ErrorCode::group_not_found: return "group_not_found";
    case ErrorCode::permission_denied: return "permission_denied";
    case ErrorCode::kernel_error: return "kernel_error";
    case ErrorCode::truncated: return "truncated";
    case ErrorCode::malformed: return "malformed";
    case ErrorCode::not_a_sample: return "not_a_sample";
    case ErrorCode::overrun: return "overrun";
    case ErrorCode::would_block: return "would_block";
    case ErrorCode::interrupted: return "interrupted";
    case ErrorCode::buffer_too_small: return "buffer_too_small";
    case ErrorCode::invalid_argument: return "invalid_argument";
  }
  return "unknown";
}

Error::Error(ErrorCode code, int system_errno, const char* format, ...) noexcept : code_(code), errno_(system_errno) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(message_, sizeof message_, format, args);
  va_end(args);
}

void Error::set_kernel_message(const char* text, unsigned length) noexcept {
  if (text == nullptr) length = 0;
  if (length >= sizeof kernel_message_) length = sizeof kernel_message_ - 1;
  if (length != 0) std::memcpy(kernel_message_, text, length);
  kernel_message_[length] = '\0';
}

}  // namespace psample
