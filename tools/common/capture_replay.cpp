#include "capture_replay.hpp"

#include <cstdio>

namespace tools {

ExitStatus CaptureReplay::open(const char* tool, const std::string& path, int family_id) {
  tool_ = tool;
  if (!reader_.open(path)) {
    std::fprintf(stderr, "%s: %s\n", tool, reader_.error().c_str());
    return exit_bad_capture;
  }
  if (family_id < 0) family_id = find_psample_family_id(reader_);
  if (!reader_.error().empty()) {
    std::fprintf(stderr, "%s: %s\n", tool, reader_.error().c_str());
    return exit_bad_capture;
  }
  if (family_id < 0 || family_id > 0xffff) {
    std::fprintf(stderr,
                 "%s: %s holds no GETFAMILY reply for psample, so its family id is unknown: pass "
                 "--family-id ID (on the capturing host, `genl ctrl get name psample` shows it)\n",
                 tool, path.c_str());
    return exit_bad_capture;
  }
  family_id_ = uint16_t(family_id);
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
