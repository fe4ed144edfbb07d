// psample-cpp tools: when a tool hands its buffered output on (lines,
// datagrams): when the stream pauses, and at least every `interval` while it
// flows. Prompt output without a write() or a send() per sample.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "coarse_clock.hpp"

namespace tools {

class FlushPolicy {
 public:
  explicit FlushPolicy(std::chrono::milliseconds interval) : interval_ms_(uint64_t(interval.count())) {}

  // How long the next receive() may wait: `idle`, or at most the interval
  // while output is pending.
  std::chrono::milliseconds wait(std::chrono::milliseconds idle) const {
    const std::chrono::milliseconds interval(interval_ms_);
    return pending_ && interval < idle ? interval : idle;
  }
  // After each receive() that returned `delivered` samples: true when the
  // output is to be flushed now (the wait found nothing, so the stream
  // paused, or the interval passed). The clock is the coarse one.
  bool after_receive(size_t delivered) {
    if (delivered > 0) pending_ = true;
    if (!pending_) return false;
    const uint64_t now = coarse_ms();
    if (delivered > 0 && now - last_flush_ms_ < interval_ms_) return false;
    pending_ = false;
    last_flush_ms_ = now;
    return true;
  }

 private:
  uint64_t interval_ms_;
  uint64_t last_flush_ms_ = coarse_ms();
  bool pending_ = false;
};

}  // namespace tools
