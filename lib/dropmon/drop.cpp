// psample-cpp drop monitor, layer 2: Drop, the owning copy of a DropView.
#include "psample/dropmon/drop.hpp"

#include <cstdlib>
#include <cstring>

namespace psample::dropmon {

namespace {

// Copies `from` to `to` and returns the copy's view there.
std::string_view place(std::string_view from, uint8_t*& to) noexcept {
  if (from.empty()) return {};
  std::memcpy(to, from.data(), from.size());
  std::string_view copy(reinterpret_cast<const char*>(to), from.size());
  to += from.size();
  return copy;
}
ByteView place(ByteView from, uint8_t*& to) noexcept {
  if (from.empty()) return {};
  std::memcpy(to, from.data(), from.size());
  ByteView copy(to, from.size());
  to += from.size();
  return copy;
}

}  // namespace

Drop::Drop(const DropView& view) noexcept : view_(view) {
  const size_t size = view.symbol_.size() + view.reason_.size() + view.trap_group_.size() + view.trap_name_.size() +
                      view.in_port_name_.size() + view.cookie_.size() + view.payload_.size();
  heap_ = size == 0 ? nullptr : static_cast<uint8_t*>(std::malloc(size));
  if (size != 0 && heap_ == nullptr) {
    complete_ = false;
    view_.symbol_ = view_.reason_ = view_.trap_group_ = view_.trap_name_ = view_.in_port_name_ = {};
    view_.cookie_ = view_.payload_ = {};
    return;
  }
  uint8_t* to = heap_;
  view_.symbol_ = place(view.symbol_, to);
  view_.reason_ = place(view.reason_, to);
  view_.trap_group_ = place(view.trap_group_, to);
  view_.trap_name_ = place(view.trap_name_, to);
  view_.in_port_name_ = place(view.in_port_name_, to);
  view_.cookie_ = place(view.cookie_, to);
  view_.payload_ = place(view.payload_, to);
}

Drop::Drop(Drop&& other) noexcept : view_(other.view_), heap_(other.heap_), complete_(other.complete_) {
  other.heap_ = nullptr;
  other.view_ = DropView();
}

Drop& Drop::operator=(const Drop& other) noexcept {
  if (this != &other) {
    Drop copy(other);
    *this = static_cast<Drop&&>(copy);
  }
  return *this;
}

Drop& Drop::operator=(Drop&& other) noexcept {
  if (this != &other) {
    release();
    view_ = other.view_;
    heap_ = other.heap_;
    complete_ = other.complete_;
    other.heap_ = nullptr;
    other.view_ = DropView();
  }
  return *this;
}

Drop::~Drop() { release(); }

void Drop::release() noexcept {
  std::free(heap_);
  heap_ = nullptr;
}

}  // namespace psample::dropmon
