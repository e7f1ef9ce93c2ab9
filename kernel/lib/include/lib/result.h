// Result<T>: a value or a mica::Status, never both. Errors are values in mica:
// every fallible kernel function returns Result<T> (or Result<void>) and callers
// propagate failures with TRY.
#pragma once

#include <lib/new.h>
#include <lib/utility.h>
#include <mica/status.h>

namespace lib {

using mica::Status;

namespace detail {

// Result's storage. For a trivially copyable T the copy and the destructor
// are trivial too, so a Result<T> of two words comes back in registers
// (RAX:RDX, X0:X1) rather than through memory: the system-call and IPC
// paths return them all the time. (A base class rather than constrained
// special members, which clang 14 does not yet make conditionally trivial.)
template <typename T, bool kTrivial = __is_trivially_copyable(T)>
class ResultStorage {
 public:
  ResultStorage(Status status) : status_(status) {}  // NOLINT: implicit by design
  ResultStorage(const T& value) : status_(Status::kOk) { new (&storage_) T(value); }
  ResultStorage(T&& value) : status_(Status::kOk) { new (&storage_) T(lib::move(value)); }
  ResultStorage(const ResultStorage& other) : status_(other.status_) {
    if (status_ == Status::kOk) new (&storage_) T(*other.get());
  }
  ResultStorage& operator=(const ResultStorage&) = delete;
  ~ResultStorage() {
    if (status_ == Status::kOk) get()->~T();
  }

 protected:
  T* get() { return reinterpret_cast<T*>(&storage_); }
  const T* get() const { return reinterpret_cast<const T*>(&storage_); }
  Status status_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

template <typename T>
class ResultStorage<T, true> {
 public:
  ResultStorage(Status status) : status_(status) {}  // NOLINT: implicit by design
  ResultStorage(const T& value) : status_(Status::kOk) { new (&storage_) T(value); }
  ResultStorage(const ResultStorage&) = default;
  ResultStorage& operator=(const ResultStorage&) = delete;

 protected:
  T* get() { return reinterpret_cast<T*>(&storage_); }
  const T* get() const { return reinterpret_cast<const T*>(&storage_); }
  Status status_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Result : public detail::ResultStorage<T> {
  using Base = detail::ResultStorage<T>;

 public:
  using Base::Base;

  bool ok() const { return this->status_ == Status::kOk; }
  Status status() const { return this->status_; }

  T& value() & { return *this->get(); }
  const T& value() const& { return *this->get(); }
  T&& value() && { return lib::move(*this->get()); }
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
