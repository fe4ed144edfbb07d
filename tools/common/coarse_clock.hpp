// psample-cpp tools: the clocks the tools read: a millisecond clock cheap
// enough to read per sample, and the wall clock for receive times.
#pragma once

#include <time.h>

#include <cstdint>

namespace tools {

// CLOCK_MONOTONIC_COARSE in ms (a few ms resolution). The vDSO serves it
// without a syscall whatever the clock source, unlike the precise clocks.
inline uint64_t coarse_ms() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return uint64_t(t.tv_sec) * 1000u + uint64_t(t.tv_nsec) / 1000000u;
}

// CLOCK_REALTIME in ns: the receive time of a sample without TIMESTAMP, and
// of a datagram written to a file.
inline uint64_t realtime_ns() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
}

}  // namespace tools
