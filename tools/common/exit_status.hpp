// psample-cpp tools: the exit statuses both tools share, and how a library
// error maps to them.
#pragma once

#include "psample/error.hpp"

namespace tools {

enum ExitStatus {
  exit_ok = 0,
  exit_runtime = 1,  // the message says which
  exit_usage = 2,
  exit_no_psample = 3,   // family_not_found: modprobe psample (or drop_monitor for drops)
  exit_permission = 4,   // permission_denied: CAP_NET_ADMIN (kernels >= 6.7)
  exit_bad_capture = 5,  // -r: the capture cannot be read or is not valid
  exit_no_netns = 6,     // --netns: the namespace was not found
};

// The text for a tool's usage: the statuses above, one line each.
constexpr const char exit_status_usage[] =
    "exit status: 0 done, 1 runtime error, 2 usage error, 3 psample (or, with --drops, the\n"
    "drop monitor) not available, 4 permission denied, 5 unreadable or invalid capture file,\n"
    "6 network namespace not found\n";

// The status for a library error.
ExitStatus exit_status_for(const psample::Error& error);

// Prints "TOOL: message" (and the kernel's extended-ack text, when there is
// one) to stderr; returns exit_status_for(error).
ExitStatus report(const char* tool, const psample::Error& error);

}  // namespace tools
