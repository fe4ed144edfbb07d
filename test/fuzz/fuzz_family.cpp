// libFuzzer target: family (invariants in checks.hpp).
#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::check_family(data, size);
  return 0;
}
