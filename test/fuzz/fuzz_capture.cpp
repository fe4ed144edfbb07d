// libFuzzer target: capture (invariants in checks.hpp).
#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::check_capture(data, size);
  return 0;
}
