// psample-cpp tools: the drop monitor's figures in a tool's summary, the same
// keys in both tools.
#pragma once

#include <chrono>
#include <string>

#include "psample/dropmon/drop_monitor.hpp"

namespace tools {

// "lost=N rate_limited=N queue_drops=N hw_queue_drops=N kernel_drops=N
// overruns=N truncated=N malformed=N ignored=N summaries=N summary_drops=N"
// (n/a where the kernel could not be asked, as for a capture), and
// " resubscribed=yes" after a module reload was followed.
std::string drop_monitor_figures(const psample::dropmon::DropMonitorStats& stats);

// Waits up to `timeout` until either descriptor is readable (two sources in
// one loop: each then receives with a zero timeout). False (errno set) when
// poll() fails other than by a signal.
bool wait_for_either(int first_fd, int second_fd, std::chrono::milliseconds timeout);

}  // namespace tools
