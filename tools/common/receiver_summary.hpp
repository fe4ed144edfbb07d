// psample-cpp tools: the Receiver's figures in a tool's summary, the same
// keys in both tools, so scripts read one format.
#pragma once

#include <cstdio>
#include <string>

#include "psample/receiver.hpp"

namespace tools {

// The Receiver's loss and input figures as key=value pairs: "lost=N
// overruns=N kernel_drops=N truncated=N malformed=N ignored=N
// group_events=N duplicates=N resyncs=N untracked=N", kernel_drops "n/a"
// when unknown (a detached Receiver), and " resubscribed=yes" after a module
// reload was followed.
std::string receiver_figures(const psample::ReceiverStats& stats);

// One line per tracked group on `out`: "TOOL: group=G samples=N lost=N
// last_seq=N duplicates=N resyncs=N".
void print_group_lines(FILE* out, const char* tool, const psample::Receiver& receiver);

}  // namespace tools
