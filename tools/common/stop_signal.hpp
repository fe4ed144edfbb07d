// psample-cpp tools: SIGINT and SIGTERM end a tool's loop; SIGHUP asks it
// to read its configuration again.
#pragma once

#include <signal.h>

namespace tools {

// Set by SIGINT or SIGTERM once catch_stop_signals() ran.
extern volatile sig_atomic_t stop_requested;

// Installs the handlers without SA_RESTART, so a signal also ends the wait
// in Receiver::receive() (it returns `interrupted`).
void catch_stop_signals();

// Set by SIGHUP once catch_reload_signal() ran; the loop clears it.
extern volatile sig_atomic_t reload_requested;
void catch_reload_signal();

}  // namespace tools
