// Result<T>: a value or a mica::Status, never both. Errors are values in mica:
// every fallible kernel function returns Result<T> (or Result<void>) and callers
// propagate failures with TRY.
#pragma once

#include <lib/new.h>
#include <lib/utility.h>
#include <mica/status.h>

namespace lib {

using mica::Status;

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(Status status) : status_(status) {}  // NOLINT: implicit by design
  Result(const T& value) : status_(Status::kOk) { new (&storage_) T(value); }
  Result(T&& value) : status_(Status::kOk) { new (&storage_) T(lib::move(value)); }
  Result(const Result& other) : status_(other.status_) {
    if (ok()) new (&storage_) T(other.value());
  }
  Result& operator=(const Result&) = delete;
  ~Result() {
    if (ok()) value().~T();
  }

  bool ok() const { return status_ == Status::kOk; }
  Status status() const { return status_; }

  T& value() & { return *reinterpret_cast<T*>(&storage_); }
  const T& value() const& { return *reinterpret_cast<const T*>(&storage_); }
  T&& value() && { return lib::move(*reinterpret_cast<T*>(&storage_)); }

 private:
  Status status_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() : status_(Status::kOk) {}
  Result(Status status) : status_(status) {}  // NOLINT: implicit by design
  bool ok() const { return status_ == Status::kOk; }
  Status status() const { return status_; }
  void value() const {}

 private:
  Status status_;
};

}  // namespace lib

// TRY(expr): evaluates a Result; on failure returns its status from the
// enclosing function, otherwise yields the value.
#define TRY(expr)                                       \
  ({                                                    \
    auto _try_result = (expr);                          \
    if (!_try_result.ok()) return _try_result.status(); \
    lib::move(_try_result).value();                     \
  })
