#include "netns.hpp"

#include <unistd.h>

#include <cstdio>

#include "psample/netns.hpp"

namespace tools {

ExitStatus enter_netns(const char* tool, const char* name_or_path) {
  auto fd = psample::open_netns(name_or_path);
  if (!fd) {
    std::fprintf(stderr, "%s: %s\n", tool, fd.error().message());
    return exit_no_netns;
  }
  auto entered = psample::enter_netns(*fd, name_or_path);
  close(*fd);
  if (entered) return exit_ok;
  std::fprintf(stderr, "%s: %s\n", tool, entered.error().message());
  return entered.error().code() == psample::ErrorCode::permission_denied ? exit_permission : exit_no_netns;
}

}  // namespace tools
