// End-to-end tests that run inside the test VM (test/vm/vm.sh), against a
// real kernel with psample and act_sample.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "guest.hpp"

int main(int argc, char* argv[]) {
  if (!guest::inside_test_vm()) {
    std::fprintf(stderr, "vm-e2e-tests run inside the test VM: use test/vm/vm.sh (see README, 'VM tests')\n");
    return 2;
  }
  // Router solicitations and MLD reports on new links would be sampled too.
  guest::write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  guest::write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  return Catch::Session().run(argc, argv);
}
