#include "line_writer.hpp"

#include <cstdarg>

namespace tools {

namespace {
// "00" to "99", two characters per value: decimal output two digits at a time.
struct DigitPairs {
  char text[200];
  constexpr DigitPairs() : text() {
    for (int i = 0; i < 100; ++i) {
      text[2 * i] = static_cast<char>('0' + i / 10);
      text[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
  }
};
constexpr DigitPairs digit_pairs;

// Each byte's two lower-case hex digits.
struct HexPairs {
  char text[512];
  constexpr HexPairs() : text() {
    const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      text[2 * i] = digits[i >> 4];
      text[2 * i + 1] = digits[i & 15];
    }
  }
};
constexpr HexPairs hex_pairs;
}  // namespace

LineWriter& LineWriter::long_bytes(const char* s, size_t n) {
  while (n > 0) {
    room(n < sizeof buffer_ ? n : sizeof buffer_);
    const size_t chunk = n < sizeof buffer_ - used_ ? n : sizeof buffer_ - used_;
    std::memcpy(buffer_ + used_, s, chunk);
    used_ += chunk;
    s += chunk;
    n -= chunk;
  }
  return *this;
}

LineWriter& LineWriter::u64(uint64_t value) { return zero_padded(value, 1); }

LineWriter& LineWriter::i64(int64_t value) {
  if (value < 0) {
    ch('-');
    return u64(0 - static_cast<uint64_t>(value));
  }
  return u64(static_cast<uint64_t>(value));
}

LineWriter& LineWriter::zero_padded(uint64_t value, int width) {
  char digits[24];  // filled from the end
  char* first = digits + sizeof digits;
  while (value >= 100) {
    first -= 2;
    std::memcpy(first, digit_pairs.text + 2 * (value % 100), 2);
    value /= 100;
  }
  if (value >= 10) {
    first -= 2;
    std::memcpy(first, digit_pairs.text + 2 * value, 2);
  } else {
    *--first = static_cast<char>('0' + value);
  }
  const int limit = width < 20 ? width : 20;
  while (digits + sizeof digits - first < limit) *--first = '0';
  return bytes(first, static_cast<size_t>(digits + sizeof digits - first));
}

LineWriter& LineWriter::hex(psample::ByteView data) {
  for (size_t i = 0; i < data.size();) {
    room(2);
    const size_t pairs = (sizeof buffer_ - used_) / 2;
    const size_t end = data.size() - i < pairs ? data.size() : i + pairs;
    char* out = buffer_ + used_;
    for (; i < end; ++i, out += 2) std::memcpy(out, hex_pairs.text + 2 * data[i], 2);
    used_ = static_cast<size_t>(out - buffer_);
  }
  return *this;
}

LineWriter& LineWriter::json_escaped(const char* s, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      ch(static_cast<char>(c));
    } else {
      const char escaped[6] = {'\\', 'u', '0', '0', digits[c >> 4], digits[c & 15]};
      bytes(escaped, sizeof escaped);
    }
  }
  return *this;
}

LineWriter& LineWriter::hex_number(uint64_t value, int width) {
  static const char digits[] = "0123456789abcdef";
  char out[16];
  int n = 0;
  do {
    out[n++] = digits[value & 15];
    value >>= 4;
  } while (value != 0);
  while (n < width && n < 16) out[n++] = '0';
  room(static_cast<size_t>(n));
  while (n > 0) buffer_[used_++] = out[--n];
  return *this;
}

LineWriter& LineWriter::printf(const char* format, ...) {
  char text[256];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  if (n > 0) bytes(text, static_cast<size_t>(n) < sizeof text ? static_cast<size_t>(n) : sizeof text - 1);
  return *this;
}

}  // namespace tools
