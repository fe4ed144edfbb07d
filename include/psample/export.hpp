// psample-cpp: which symbols the library exports. The library is built with
// hidden visibility (meson.build); PSAMPLE_API marks the public API, so the
// shared library exports exactly that and its internals stay private.
#pragma once

#if defined(__GNUC__)
#define PSAMPLE_API __attribute__((visibility("default")))
#else
#define PSAMPLE_API
#endif
