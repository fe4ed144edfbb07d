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
  // Reads the capture. On failure prints why as "TOOL: ..." and returns
  // exit_bad_capture.
  ExitStatus open(const char* tool, const std::string& path);
  // A family's id in the capture (its GETFAMILY reply), or `given` when it
  // is >= 0. When the capture holds no reply, says so, naming `option`
  // (the tool's --family-id), and returns exit_bad_capture.
  ExitStatus resolve(const char* family, int given, const char* option, uint16_t& id);

  // Calls on_datagram(datagram, capture time in ns) for each record's
  // generic netlink datagram, in order, until the end of the file or until
  // it returns false. exit_bad_capture (after saying why) when the file
  // breaks off; the datagrams before the break have been handed on.
  ExitStatus run(psample::FunctionRef<bool(psample::ByteView, uint64_t)> on_datagram);
  // The capture, for looking into it before run() (it rewinds after).
  CaptureReader& reader() { return reader_; }

 private:
  const char* tool_ = "";
  std::string path_;
  CaptureReader reader_;
};

}  // namespace tools
