#include "interface_names.hpp"

#include <net/if.h>
#include <time.h>

namespace dump {

namespace {
// The coarse clock: the vDSO serves it without a syscall.
uint64_t coarse_ms() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return uint64_t(t.tv_sec) * 1000u + uint64_t(t.tv_nsec) / 1000000u;
}
}  // namespace

const std::string& InterfaceNames::name(uint32_t ifindex) {
  static const std::string none;
  if (!resolve_ || ifindex == 0) return none;
  Entry& entry = entries_[ifindex % slots];
  const uint64_t now = coarse_ms();
  if (entry.ifindex == ifindex && now - entry.looked_up_ms < refresh_ms) return entry.name;
  char buffer[IF_NAMESIZE] = {};
  entry.ifindex = ifindex;
  entry.looked_up_ms = now;
  entry.name = if_indextoname(ifindex, buffer) != nullptr ? buffer : "";
  return entry.name;
}

}  // namespace dump
