// libFuzzer target: the drop monitor's decoders and DropMonitor::process
// (invariants in dropmon_checks.hpp).
#include "dropmon_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::check_dropmon(data, size);
  return 0;
}
