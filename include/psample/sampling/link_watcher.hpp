// psample-cpp sampling: the host's network interfaces as they come and go
// (rtnetlink link notifications, RTNLGRP_LINK), so that an agent can sample
// each interface whose name matches, also those created after it started.
// Part of psample-cpp-sampling.
#pragma once

#include <net/if.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "psample/function_ref.hpp"
#include "psample/result.hpp"

namespace psample::sampling {

struct LinkEvent {
  enum class Kind : uint8_t {
    present,  // exists (from list()), appeared, or changed: its name may be new
    removed,  // deleted
  };
  Kind kind = Kind::present;
  uint32_t ifindex = 0;
  char name[IF_NAMESIZE] = {};  // "" when the message carried no IFLA_IFNAME
};

class LinkWatcher {
 public:
  // Joins the link notifications in the calling thread's network namespace
  // (psample::in_netns() for another one: both sockets are opened here).
  static Result<LinkWatcher> open() noexcept;
  LinkWatcher(LinkWatcher&&) noexcept;
  LinkWatcher& operator=(LinkWatcher&&) noexcept;
  ~LinkWatcher();

  // Readable when notifications wait (for poll/epoll).
  int fd() const noexcept;
  // Every interface there is now, each as a `present` event (a dump over a
  // second socket, so notifications are never taken for its replies).
  Result<size_t> list(FunctionRef<void(const LinkEvent&)> on_link) noexcept;
  // The notifications that have arrived, without waiting. Every change of
  // a link comes as `present` (flags, addresses, a rename), so callers
  // compare with what they know. An `overrun` error means notifications
  // were lost: call list() to learn the state again.
  Result<size_t> poll(FunctionRef<void(const LinkEvent&)> on_link) noexcept;

 private:
  struct State;
  explicit LinkWatcher(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

}  // namespace psample::sampling
