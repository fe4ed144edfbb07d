// psample-cpp: sockets in another network namespace, the calling thread left
// where it was. Header-only (inline), so the library's size does not grow
// for programs that never use it.
//
//   auto receiver = psample::in_netns("blue", [] { return psample::Receiver::open(); });
//   auto rules = psample::in_netns("/proc/4242/ns/net",
//                                  [] { return psample::sampling::SamplingRules::open(); });
//
// A netlink socket belongs to the namespace it was created in, for good: the
// Receiver, DropMonitor, SamplingRules and LinkWatcher open all theirs in
// open(), so each keeps working in that namespace from any thread.
// Receiver::groups() and list_groups() open a socket when called: call them
// inside in_netns() too. Entering needs CAP_SYS_ADMIN.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "psample/error.hpp"
#include "psample/result.hpp"

namespace psample {

// Opens a network namespace: a path (anything with a '/', such as
// /proc/PID/ns/net or /run/netns/NAME) or an `ip netns` name (looked up in
// /run/netns, then /var/run/netns). The fd is O_CLOEXEC; the caller closes it.
inline Result<int> open_netns(const char* name_or_path) noexcept {
  char path[256];
  if (std::strchr(name_or_path, '/') != nullptr) {
    std::snprintf(path, sizeof path, "%s", name_or_path);
  } else {
    char other[256];
    std::snprintf(path, sizeof path, "/run/netns/%s", name_or_path);
    std::snprintf(other, sizeof other, "/var/run/netns/%s", name_or_path);
    if (access(path, F_OK) != 0 && access(other, F_OK) == 0) std::memcpy(path, other, sizeof path);
  }
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(ErrorCode::invalid_argument, errno,
                 "network namespace '%s' not found (%s: %s): `ip netns list` shows the names, or pass a path "
                 "such as /proc/PID/ns/net",
                 name_or_path, path, std::strerror(errno));
  return fd;
}

// Moves the calling thread into the namespace `fd` refers to.
inline Result<void> enter_netns(int fd, const char* name) noexcept {
  if (setns(fd, CLONE_NEWNET) == 0) return {};
  const int e = errno;
  return Error(e == EPERM ? ErrorCode::permission_denied : ErrorCode::system, e,
               "cannot enter network namespace '%s': %s%s", name, std::strerror(e),
               e == EPERM    ? " (needs CAP_SYS_ADMIN: run as root)"
               : e == EINVAL ? " (not a network namespace)"
                             : "");
}

// Runs `open` (which returns a Result) with the calling thread in the
// network namespace `name_or_path`, then moves the thread back, whatever
// `open` returned. An error entering (or leaving) comes back as the Result's
// error; `open` is not called then.
template <class Open>
auto in_netns(const char* name_or_path, Open&& open) noexcept -> decltype(open()) {
  auto target = open_netns(name_or_path);
  if (!target) return target.error();
  auto home = open_netns("/proc/thread-self/ns/net");
  if (!home) {
    close(*target);
    return home.error();
  }
  auto entered = enter_netns(*target, name_or_path);
  close(*target);
  if (!entered) {
    close(*home);
    return entered.error();
  }
  auto result = open();
  auto back = enter_netns(*home, "/proc/thread-self/ns/net (this thread's own)");
  close(*home);
  if (!back) return back.error();  // the thread could not return: say so rather than go on elsewhere
  return result;
}

}  // namespace psample
