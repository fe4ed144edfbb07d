#include "drop_monitor_summary.hpp"

#include <poll.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <optional>

namespace tools {

std::string drop_monitor_figures(const psample::dropmon::DropMonitorStats& s) {
  auto figure = [](const std::optional<uint64_t>& value, char(&text)[24]) -> const char* {
    if (value)
      std::snprintf(text, sizeof text, "%" PRIu64, *value);
    else
      std::snprintf(text, sizeof text, "n/a");
    return text;
  };
  char queue[24], hardware_queue[24], kernel[24];
  char text[512];
  std::snprintf(text, sizeof text,
                "lost=%" PRIu64 " rate_limited=%" PRIu64
                " queue_drops=%s hw_queue_drops=%s kernel_drops=%s"
                " overruns=%" PRIu64 " truncated=%" PRIu64 " malformed=%" PRIu64 " ignored=%" PRIu64
                " summaries=%" PRIu64 " summary_drops=%" PRIu64 "%s",
                s.lost(), s.rate_limited, figure(s.queue_drops, queue), figure(s.hardware_queue_drops, hardware_queue),
                figure(s.kernel_drops, kernel), s.overruns, s.truncated, s.malformed,
                s.ignored_sender + s.ignored_command + s.ignored_family, s.summaries, s.summary_drops,
                s.resubscriptions ? " resubscribed=yes" : "");
  return text;
}

bool wait_for_either(int first_fd, int second_fd, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{first_fd, POLLIN, 0}, {second_fd, POLLIN, 0}};
  return poll(fds, 2, int(timeout.count())) >= 0 || errno == EINTR;
}

}  // namespace tools
