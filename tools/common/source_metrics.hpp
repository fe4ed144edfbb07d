// psample-cpp tools: the event sources' figures as metrics (metrics_text.hpp),
// the same names in every tool under that tool's prefix.
#pragma once

#include <ctime>

#include "metrics_text.hpp"
#include "psample/dropmon/drop_monitor.hpp"
#include "psample/receiver.hpp"

namespace tools {

// The process: start time (seconds since the epoch) and the library
// version as an info metric.
void add_process_metrics(MetricsText& metrics, std::time_t started);

// The Receiver's: per group (label "group") samples, lost, duplicates and
// resyncs; for the socket, DATA bytes, overruns, kernel drops (when known),
// truncated, malformed, ignored (label "reason": sender, command, family),
// untracked samples and resubscriptions.
void add_receiver_metrics(MetricsText& metrics, const psample::Receiver& receiver);

// The drop monitor's (psample::dropmon::DropMonitorStats), as drop_monitor_*.
void add_drop_monitor_metrics(MetricsText& metrics, const psample::dropmon::DropMonitorStats& stats);

}  // namespace tools
