#include "line_writer.hpp"

#include <cstdarg>

namespace dump {

LineWriter& LineWriter::bytes(const char* s, size_t n) {
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
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n < width && n < 20) digits[n++] = '0';
  room(static_cast<size_t>(n));
  while (n > 0) buffer_[used_++] = digits[--n];
  return *this;
}

LineWriter& LineWriter::hex(psample::ByteView data) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < data.size();) {
    room(2);
    const size_t pairs = (sizeof buffer_ - used_) / 2;
    const size_t end = data.size() - i < pairs ? data.size() : i + pairs;
    for (; i < end; ++i) {
      buffer_[used_++] = digits[data[i] >> 4];
      buffer_[used_++] = digits[data[i] & 15];
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

}  // namespace dump
