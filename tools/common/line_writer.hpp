// psample-cpp tools: output assembled in memory and handed to stdio in large
// pieces, without printf's format parsing per field (the JSON data field is
// thousands of hex digits per sample).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "psample/bytes.hpp"

namespace tools {

class LineWriter {
 public:
  explicit LineWriter(FILE* out) : out_(out) {}
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;
  ~LineWriter() { flush(); }

  // Inline, so a literal's length and copy are worked out at compile time.
  LineWriter& str(const char* s) { return bytes(s, std::strlen(s)); }
  LineWriter& bytes(const char* s, size_t n) {
    if (n > sizeof buffer_ - used_) return long_bytes(s, n);
    std::memcpy(buffer_ + used_, s, n);
    used_ += n;
    return *this;
  }
  LineWriter& ch(char c) {
    room(1);
    buffer_[used_++] = c;
    return *this;
  }
  // Decimal, as %llu / %lld.
  LineWriter& u64(uint64_t value);
  LineWriter& i64(int64_t value);
  // Decimal with leading zeros to `width` digits, as %0*u.
  LineWriter& zero_padded(uint64_t value, int width);
  // Lower-case hex, two digits per byte.
  LineWriter& hex(psample::ByteView data);
  // Lower-case hex of `value`, at least `width` digits, as %0*x.
  LineWriter& hex_number(uint64_t value, int width);
  // A JSON string's contents (without the quotes): ", \\, control characters
  // and bytes above 0x7e escaped as \\u00XX, so any input gives valid JSON.
  LineWriter& json_escaped(const char* s, size_t n);
  // printf, for the rare field that needs it (a float).
  LineWriter& printf(const char* format, ...) __attribute__((format(printf, 2, 3)));

  // Hands what is assembled to stdio (fwrite); stdio's buffer decides when to write().
  void flush() {
    if (used_ > 0) std::fwrite(buffer_, 1, used_, out_);
    used_ = 0;
  }
  FILE* file() const { return out_; }

 private:
  void room(size_t n) {
    if (used_ + n > sizeof buffer_) flush();
  }
  LineWriter& long_bytes(const char* s, size_t n);

  FILE* out_;
  size_t used_ = 0;
  char buffer_[8192];
};

}  // namespace tools
