// psample-cpp drop monitor, layer 2: an owning copy of a drop, for callers
// that keep drops past the handler call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/dropmon/drop_view.hpp"

namespace psample::dropmon {

// A drop that owns its bytes: its view() points into this Drop. The strings
// and bytes (symbol, reason, trap names, port name, cookie, payload) take
// one malloc together; if that fails, the Drop keeps every number field,
// holds no strings or bytes, and complete() is false.
class Drop {
 public:
  Drop() noexcept = default;
  explicit Drop(const DropView& view) noexcept;
  Drop(const Drop& other) noexcept : Drop(other.view_) {}
  Drop(Drop&& other) noexcept;
  Drop& operator=(const Drop& other) noexcept;
  Drop& operator=(Drop&& other) noexcept;
  ~Drop();

  const DropView& view() const noexcept { return view_; }
  const DropView* operator->() const noexcept { return &view_; }
  bool complete() const noexcept { return complete_; }

 private:
  void release() noexcept;

  DropView view_;
  uint8_t* heap_ = nullptr;
  bool complete_ = true;
};

}  // namespace psample::dropmon
