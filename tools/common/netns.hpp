// psample-cpp tools: entering a network namespace by name or path.
#pragma once

#include <string>

namespace tools {

// Moves this process into the network namespace `name_or_path`: a path
// (containing '/') or a name from `ip netns` (/run/netns/NAME). On failure
// returns false and sets `error` to a message that says what to do.
bool enter_netns(const std::string& name_or_path, std::string& error);

}  // namespace tools
