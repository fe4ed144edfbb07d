// psample-cpp layer 3 (private): psample-specific wording for family errors.
#pragma once

#include "psample/error.hpp"

namespace psample::detail {

// family_not_found gets the hint that tells a person what to load; other
// errors pass through unchanged.
Error explain_family_error(const Error& cause) noexcept;

}  // namespace psample::detail
