// psample-cpp tools: a command-line number.
#pragma once

#include <cerrno>
#include <cstdlib>

namespace tools {

// A whole decimal, hex (0x) or octal number no larger than `max`, with
// nothing after it and no sign. False for anything else.
inline bool parse_number(const char* text, unsigned long long max, unsigned long long& out) {
  if (text == nullptr || *text == '\0' || *text == '-') return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(text, &end, 0);
  return errno == 0 && *end == '\0' && out <= max;
}

}  // namespace tools
