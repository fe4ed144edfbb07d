// psample-cpp tools: --netns. A tool enters the namespace for its whole run
// (not only psample::in_netns() around its sockets): it also resolves
// interface names, reads counters and sets up --sample's rules there.
#pragma once

#include "exit_status.hpp"

namespace tools {

// Moves this (single-threaded) process into the network namespace
// `name_or_path` with psample::open_netns / enter_netns. On failure prints
// "TOOL: message" and returns exit_no_netns (not found, not a namespace) or
// exit_permission.
ExitStatus enter_netns(const char* tool, const char* name_or_path);

}  // namespace tools
