// psample-cpp: a non-owning reference to a callable (no allocation, no RTTI).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace psample {

template <class Signature>
class FunctionRef;

// Refers to a callable the caller keeps alive for the duration of the call it
// is passed to. Lambdas convert to it implicitly.
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  // Only callables that take these arguments convert, so overloads on
  // FunctionRefs of different signatures pick the one a lambda fits.
  template <class F, class = std::enable_if_t<!std::is_same<std::decay_t<F>, FunctionRef>::value &&
                                              std::is_invocable_r<R, F&, Args...>::value>>
  FunctionRef(F&& f) noexcept
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace psample
