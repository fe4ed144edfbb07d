// psample-cpp: how the library allocates. With malloc and free, never
// operator new: so the library needs nothing from the C++ runtime that
// throws (no operator new, no std::__throw_*), a static program pays no
// exception machinery for it, and an allocation that fails is an Error, not
// an exception or an abort. test/footprint/run-footprint.sh checks the
// archive's undefined symbols against test/footprint/runtime-allowlist.txt.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace psample {

// unique_ptr's deleter for memory from std::malloc.
struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

// An array of trivially destructible T from std::malloc.
template <typename T>
using MallocArray = std::unique_ptr<T[], FreeDeleter>;

// `count` value-initialized T (trivially destructible), or null when out of memory.
template <typename T>
MallocArray<T> allocate_array(size_t count) noexcept {
  static_assert(std::is_trivially_destructible<T>::value, "free() runs no destructors");
  T* memory = static_cast<T*>(std::malloc(count * sizeof(T)));
  if (memory != nullptr)
    for (size_t i = 0; i < count; ++i) new (memory + i) T();
  return MallocArray<T>(memory);
}

// `size` bytes, not initialized (pages stay untouched until written), or null.
inline MallocArray<uint8_t> allocate_bytes(size_t size) noexcept {
  return MallocArray<uint8_t>(static_cast<uint8_t*>(std::malloc(size)));
}

}  // namespace psample
