// libFuzzer target: decode (invariants in checks.hpp).
#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::check_decode(data, size);
  fuzz::check_round_trip(data, size);
  return 0;
}
