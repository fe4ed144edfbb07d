#include "capture_replay.hpp"

#include <cstdio>

namespace tools {

ExitStatus CaptureReplay::open(const char* tool, const std::string& path) {
  tool_ = tool;
  path_ = path;
  if (!reader_.open(path)) {
    std::fprintf(stderr, "%s: %s\n", tool, reader_.error().c_str());
    return exit_bad_capture;
  }
  return exit_ok;
}

ExitStatus CaptureReplay::resolve(const char* family, int given, const char* option, uint16_t& id) {
  const int found = given >= 0 ? given : find_family_id(reader_, family);
  if (!reader_.error().empty()) {
    std::fprintf(stderr, "%s: %s\n", tool_, reader_.error().c_str());
    return exit_bad_capture;
  }
  if (found < 0 || found > 0xffff) {
    std::fprintf(stderr,
                 "%s: %s holds no GETFAMILY reply for %s, so its family id is unknown: pass "
                 "%s ID (on the capturing host, `genl ctrl get name %s` shows it)\n",
                 tool_, path_.c_str(), family, option, family);
    return exit_bad_capture;
  }
  id = uint16_t(found);
  return exit_ok;
}

ExitStatus CaptureReplay::run(psample::FunctionRef<bool(psample::ByteView, uint64_t)> on_datagram) {
  CaptureRecord record;
  int result;
  while ((result = reader_.next(record)) == 1) {
    const psample::ByteView datagram = generic_netlink_payload(record);
    if (!datagram.empty() && !on_datagram(datagram, record.time_ns)) return exit_ok;
  }
  if (result < 0) {
    std::fprintf(stderr, "%s: %s\n", tool_, reader_.error().c_str());
    return exit_bad_capture;
  }
  return exit_ok;
}

}  // namespace tools
