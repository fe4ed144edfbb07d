// psample-dump's LineWriter against printf: every number and byte formats
// exactly as the printf conversion it stands in for, across the buffer's edge.
#include <stdio.h>

#include <cstdarg>

#include <catch2/catch.hpp>
#include <cinttypes>
#include <cstdlib>
#include <string>
#include <vector>

#include "line_writer.hpp"

namespace {

// What `write` puts out through a LineWriter, read back from a memory stream.
template <typename Write>
std::string written(Write write) {
  char* text = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  REQUIRE(out != nullptr);
  {
    tools::LineWriter w(out);
    write(w);
  }
  std::fclose(out);
  std::string result(text, size);
  std::free(text);
  return result;
}

std::string printed(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printed(const char* format, ...) {
  char text[64];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return std::string(text, static_cast<size_t>(n));
}

std::vector<uint64_t> edge_values() {
  std::vector<uint64_t> values{0, UINT64_MAX, UINT64_MAX - 1, 0xffffffffu, 0x100000000u};
  for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
    values.push_back(p - 1);
    values.push_back(p);
    values.push_back(p + 1);
  }
  values.push_back(10000000000000000000u);
  return values;
}

}  // namespace

TEST_CASE("LineWriter numbers print as %llu, %lld, %0*llu and %0*llx", "[dump]") {
  for (uint64_t v : edge_values()) {
    INFO("value " << v);
    CHECK(written([&](tools::LineWriter& w) { w.u64(v); }) == printed("%" PRIu64, v));
    const int64_t s = static_cast<int64_t>(v);
    CHECK(written([&](tools::LineWriter& w) { w.i64(s); }) == printed("%" PRId64, s));
    for (int width = 0; width <= 22; ++width) {
      INFO("width " << width);
      const int capped = width < 20 ? width : 20;  // zero_padded caps at 20 digits
      CHECK(written([&](tools::LineWriter& w) { w.zero_padded(v, width); }) == printed("%0*" PRIu64, capped, v));
      const int hex_capped = width < 16 ? width : 16;
      CHECK(written([&](tools::LineWriter& w) { w.hex_number(v, width); }) == printed("%0*" PRIx64, hex_capped, v));
    }
  }
}

TEST_CASE("LineWriter hex gives two lower-case digits per byte, across the buffer's edge", "[dump]") {
  std::vector<uint8_t> bytes(20000);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 256);
  std::string expected = "x";
  for (uint8_t b : bytes) expected += printed("%02x", b);
  CHECK(written([&](tools::LineWriter& w) { w.ch('x').hex(psample::ByteView(bytes.data(), bytes.size())); }) ==
        expected);
}

TEST_CASE("LineWriter bytes: short and longer than its buffer, in order", "[dump]") {
  const std::string big(20000, 'b');
  std::string expected;
  const std::string out = written([&](tools::LineWriter& w) {
    for (int i = 0; i < 3000; ++i) {
      w.str("key:").u64(static_cast<uint64_t>(i)).ch(',');
      expected += "key:" + std::to_string(i) + ",";
      if (i % 1000 == 999) {
        w.bytes(big.data(), big.size());
        expected += big;
      }
    }
  });
  CHECK(out == expected);
}
