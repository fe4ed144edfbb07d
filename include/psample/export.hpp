// psample-cpp: which symbols the library exports. The library is built with
// hidden visibility (meson.build); PSAMPLE_API marks the public API, so the
// shared library exports exactly that and its internals stay private.
// test/consumer/exports.txt lists every exported symbol; the `exports` test
// fails on any difference, so the public surface changes only on purpose.
#pragma once

#if defined(__GNUC__)
#define PSAMPLE_API __attribute__((visibility("default")))
// Members of an exported class that only the library itself calls (private
// helpers no inline function uses): kept out of the export table.
#define PSAMPLE_LOCAL __attribute__((visibility("hidden")))
#else
#define PSAMPLE_API
#define PSAMPLE_LOCAL
#endif
