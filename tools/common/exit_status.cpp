#include "exit_status.hpp"

#include <cstdio>

namespace tools {

ExitStatus exit_status_for(const psample::Error& error) {
  switch (error.code()) {
    case psample::ErrorCode::family_not_found: return exit_no_psample;
    case psample::ErrorCode::permission_denied: return exit_permission;
    default: return exit_runtime;
  }
}

ExitStatus report(const char* tool, const psample::Error& error) {
  std::fprintf(stderr, "%s: %s\n", tool, error.message());
  if (*error.kernel_message() != '\0') std::fprintf(stderr, "%s: kernel says: %s\n", tool, error.kernel_message());
  return exit_status_for(error);
}

}  // namespace tools
