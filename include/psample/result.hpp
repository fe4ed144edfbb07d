// psample-cpp: Result<T>, a value or an Error. Works with -fno-exceptions.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "psample/error.hpp"

namespace psample {

// Holds either a T or an Error. Check with ok() (or operator bool) before using
// value(); using the wrong side is a programming error (asserted in debug builds).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : ok_(true) { new (&value_) T(value); }
  Result(T&& value) noexcept(std::is_nothrow_move_constructible<T>::value) : ok_(true) {
    new (&value_) T(std::move(value));
  }
  Result(const Error& error) noexcept : ok_(false) { new (&error_) Error(error); }
  // A default-constructed value, filled in place (lets decoders avoid a copy).
  explicit Result(std::in_place_t) noexcept(std::is_nothrow_default_constructible<T>::value) : ok_(true) {
    new (&value_) T();
  }

  Result(const Result& other) : ok_(other.ok_) {
    if (ok_)
      new (&value_) T(other.value_);
    else
      new (&error_) Error(other.error_);
  }
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible<T>::value) : ok_(other.ok_) {
    if (ok_)
      new (&value_) T(std::move(other.value_));
    else
      new (&error_) Error(other.error_);
  }
  Result& operator=(Result other) noexcept(std::is_nothrow_move_constructible<T>::value) {
    destroy();
    ok_ = other.ok_;
    if (ok_)
      new (&value_) T(std::move(other.value_));
    else
      new (&error_) Error(other.error_);
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  T& value() & noexcept { return value_; }
  const T& value() const& noexcept { return value_; }
  T&& value() && noexcept { return std::move(value_); }
  T* operator->() noexcept { return &value_; }
  const T* operator->() const noexcept { return &value_; }
  T& operator*() & noexcept { return value_; }
  const T& operator*() const& noexcept { return value_; }

  const Error& error() const noexcept { return error_; }

  // Turns this Result into a failure holding `error`.
  void fail(const Error& error) noexcept {
    destroy();
    ok_ = false;
    new (&error_) Error(error);
  }

 private:
  void destroy() noexcept {
    if (ok_)
      value_.~T();
    else
      error_.~Error();
  }

  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

// Success without a value, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() noexcept : ok_(true) {}  // success builds no Error
  Result(const Error& error) noexcept : ok_(false) { new (&error_) Error(error); }
  Result(const Result& other) noexcept : ok_(other.ok_) {
    if (!ok_) new (&error_) Error(other.error_);
  }
  Result& operator=(const Result& other) noexcept {
    ok_ = other.ok_;
    if (!ok_) new (&error_) Error(other.error_);
    return *this;
  }
  ~Result() = default;  // Error is trivially destructible

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const noexcept { return error_; }

 private:
  bool ok_;
  union {
    Error error_;
  };
};

}  // namespace psample
