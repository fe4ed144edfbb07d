#include "stop_signal.hpp"

namespace tools {

volatile sig_atomic_t stop_requested = 0;
volatile sig_atomic_t reload_requested = 0;

namespace {
void on_stop_signal(int) { stop_requested = 1; }
void on_reload_signal(int) { reload_requested = 1; }
}  // namespace

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace tools

namespace tools {

void catch_reload_signal() {
  struct sigaction action {};
  action.sa_handler = on_reload_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the wait ends, the loop reloads at once
  sigaction(SIGHUP, &action, nullptr);
}

}  // namespace tools
