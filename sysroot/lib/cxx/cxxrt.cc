// The C++ runtime for user programs (built without exceptions or RTTI):
// the allocation functions on malloc, static-destructor registration,
// thread-safe local statics, and the pure-virtual trap. Static
// constructors run from crt0 (.init_array).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <new>

#include <errno.h>
#include <mica/status.h>

#include "../c/libc_internal.h"

namespace std {
const nothrow_t nothrow{};
}

namespace {

[[noreturn]] void out_of_memory() {
  fputs("operator new: out of memory\n", stderr);
  abort();
}

void* allocate(size_t size, size_t alignment) {
  if (alignment <= 16) {
    return malloc(size);
  }
  return aligned_alloc(alignment, size);
}

void* allocate_or_die(size_t size, size_t alignment) {
  void* p = allocate(size, alignment);
  if (!p) {
    out_of_memory();
  }
  return p;
}

}  // namespace

void* operator new(size_t size) {
  return allocate_or_die(size, 16);
}
void* operator new[](size_t size) {
  return allocate_or_die(size, 16);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return allocate(size, 16);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return allocate(size, 16);
}
void* operator new(size_t size, std::align_val_t alignment) {
  return allocate_or_die(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return allocate_or_die(size, static_cast<size_t>(alignment));
}
void* operator new(size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate(size, static_cast<size_t>(alignment));
}

void operator delete(void* p) noexcept {
  free(p);
}
void operator delete[](void* p) noexcept {
  free(p);
}
void operator delete(void* p, size_t) noexcept {
  free(p);
}
void operator delete[](void* p, size_t) noexcept {
  free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  free(p);
}
void operator delete(void* p, size_t, std::align_val_t) noexcept {
  free(p);
}
void operator delete[](void* p, size_t, std::align_val_t) noexcept {
  free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  free(p);
}

extern "C" {

// Identifies this (only) module to __cxa_atexit.
__attribute__((visibility("hidden"))) void* __dso_handle = &__dso_handle;

// Static destructors: run by exit(), most recent first.
int __cxa_atexit(void (*destructor)(void*), void* object, void* dso) {
  return __mica_atexit(destructor, object);
}

[[noreturn]] void __cxa_pure_virtual() {
  fputs("pure virtual function called\n", stderr);
  abort();
}

[[noreturn]] void __cxa_deleted_virtual() {
  fputs("deleted virtual function called\n", stderr);
  abort();
}

// Local statics. The guard's first byte says "done" (the compiler tests it
// inline); the second says "being initialized", by whichever thread got
// there first: others spin until it is done (or abandoned).
int __cxa_guard_acquire(uint64_t* guard) {
  auto* bytes = reinterpret_cast<uint8_t*>(guard);
  for (;;) {
    if (__atomic_load_n(&bytes[0], __ATOMIC_ACQUIRE)) {
      return 0;
    }
    uint8_t expected = 0;
    if (__atomic_compare_exchange_n(&bytes[1], &expected, 1, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
      if (__atomic_load_n(&bytes[0], __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&bytes[1], 0, __ATOMIC_RELEASE);
        return 0;
      }
      return 1;  // the caller initializes, then calls release
    }
    while (__atomic_load_n(&bytes[1], __ATOMIC_RELAXED) &&
           !__atomic_load_n(&bytes[0], __ATOMIC_RELAXED)) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
}

void __cxa_guard_release(uint64_t* guard) {
  auto* bytes = reinterpret_cast<uint8_t*>(guard);
  __atomic_store_n(&bytes[0], 1, __ATOMIC_RELEASE);
  __atomic_store_n(&bytes[1], 0, __ATOMIC_RELEASE);
}

void __cxa_guard_abort(uint64_t* guard) {
  __atomic_store_n(&reinterpret_cast<uint8_t*>(guard)[1], 0, __ATOMIC_RELEASE);
}

}  // extern "C"

// libc's errno values are the kernel's status codes (the system calls
// return them negated).
static_assert(EPERM == static_cast<int>(mica::Status::kNotPermitted));
static_assert(ENOENT == static_cast<int>(mica::Status::kNotFound));
static_assert(ESRCH == static_cast<int>(mica::Status::kNoProcess));
static_assert(EINTR == static_cast<int>(mica::Status::kInterrupted));
static_assert(EIO == static_cast<int>(mica::Status::kIoError));
static_assert(ENOEXEC == static_cast<int>(mica::Status::kBadFormat));
static_assert(EBADF == static_cast<int>(mica::Status::kBadHandle));
static_assert(EAGAIN == static_cast<int>(mica::Status::kWouldBlock));
static_assert(ENOMEM == static_cast<int>(mica::Status::kNoMemory));
static_assert(EACCES == static_cast<int>(mica::Status::kAccessDenied));
static_assert(EFAULT == static_cast<int>(mica::Status::kFault));
static_assert(EBUSY == static_cast<int>(mica::Status::kBusy));
static_assert(EEXIST == static_cast<int>(mica::Status::kAlreadyExists));
static_assert(EINVAL == static_cast<int>(mica::Status::kInvalidArgs));
static_assert(EPIPE == static_cast<int>(mica::Status::kBrokenPipe));
static_assert(ENOSPC == static_cast<int>(mica::Status::kNoSpace));
static_assert(ERANGE == static_cast<int>(mica::Status::kOutOfRange));
static_assert(ENOSYS == static_cast<int>(mica::Status::kNotSupported));
static_assert(EBADMSG == static_cast<int>(mica::Status::kTruncated));
static_assert(EADDRINUSE == static_cast<int>(mica::Status::kAddressInUse));
static_assert(ECONNRESET == static_cast<int>(mica::Status::kConnectionReset));
static_assert(ENOTCONN == static_cast<int>(mica::Status::kNotConnected));
static_assert(ETIMEDOUT == static_cast<int>(mica::Status::kTimedOut));
static_assert(ECONNREFUSED == static_cast<int>(mica::Status::kConnectionRefused));
