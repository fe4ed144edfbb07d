// psample-cpp: Error formatting and error-code names.
#include "psample/error.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace psample {

const char* to_string(ErrorCode code) noexcept {
  // In ErrorCode's order (error.hpp).
  static constexpr const char* names[] = {
      "system",      "family_not_found", "group_not_found",  "permission_denied", "kernel_error",
      "truncated",   "malformed",        "not_a_sample",     "overrun",           "would_block",
      "interrupted", "buffer_too_small", "invalid_argument", "dump_interrupted",
  };
  static_assert(sizeof names / sizeof names[0] == static_cast<size_t>(ErrorCode::dump_interrupted) + 1,
                "one name per ErrorCode");
  const auto index = static_cast<size_t>(code);
  return index < sizeof names / sizeof names[0] ? names[index] : "unknown";
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
