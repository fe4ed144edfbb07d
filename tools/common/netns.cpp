#include "netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tools {

bool enter_netns(const std::string& name_or_path, std::string& error) {
  std::string path = name_or_path;
  if (name_or_path.find('/') == std::string::npos) {
    path = "/run/netns/" + name_or_path;
    if (access(path.c_str(), F_OK) != 0) path = "/var/run/netns/" + name_or_path;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "network namespace '" + name_or_path + "' not found (" + path + ": " + std::strerror(errno) +
            "); `ip netns list` shows the names, or pass a path such as /proc/PID/ns/net";
    return false;
  }
  const int result = setns(fd, CLONE_NEWNET);
  const int err = errno;
  close(fd);
  if (result != 0) {
    error = "cannot enter network namespace '" + name_or_path + "': " + std::strerror(err) +
            (err == EPERM    ? " (needs CAP_SYS_ADMIN: run as root)"
             : err == EINVAL ? " (not a network namespace)"
                             : "");
    return false;
  }
  return true;
}

}  // namespace tools
