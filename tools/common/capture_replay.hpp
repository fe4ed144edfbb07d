// psample-cpp tools: a netlink capture (-r) replayed datagram by datagram,
// as a live socket would have delivered it.
#pragma once

#include <cstdint>
#include <string>

#include "capture_reader.hpp"
#include "exit_status.hpp"
#include "psample/bytes.hpp"
#include "psample/function_ref.hpp"

namespace tools {

class CaptureReplay {
 public:
  // Reads the capture and finds psample's family id in it (its GETFAMILY
  // reply), or takes `family_id` when it is >= 0. On failure prints why as
  // "TOOL: ..." (naming --family-id when the capture holds no reply) and
  // returns exit_bad_capture.
  ExitStatus open(const char* tool, const std::string& path, int family_id);
  uint16_t family_id() const { return family_id_; }

  // Calls on_datagram(datagram, capture time in ns) for each record's
  // generic netlink datagram, in order, until the end of the file or until
  // it returns false. exit_bad_capture (after saying why) when the file
  // breaks off; the datagrams before the break have been handed on.
  ExitStatus run(psample::FunctionRef<bool(psample::ByteView, uint64_t)> on_datagram);

 private:
  const char* tool_ = "";
  CaptureReader reader_;
  uint16_t family_id_ = 0;
};

}  // namespace tools
