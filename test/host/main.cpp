// Host-kernel tests: run against the running kernel's netlink, inside a
// private network namespace this process creates (needs root).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char* argv[]) {
  if (unshare(CLONE_NEWNET) != 0) {
    const int err = errno;
    std::fprintf(stderr,
                 "host-kernel tests cannot run: unshare(CLONE_NEWNET) failed: %s. They need root (CAP_SYS_ADMIN) "
                 "to create a private network namespace; run them as root.\n",
                 std::strerror(err));
    // Under CI a missing privilege is a failure, not a skip.
    const char* ci = std::getenv("CI");
    return (ci != nullptr && *ci != '\0') ? 1 : 77;  // 77: meson's "skipped", shown as SKIP
  }
  return Catch::Session().run(argc, argv);
}
