// SpinLock: mutual exclusion between CPUs. It is always held with interrupts
// masked on the holder's CPU, so an interrupt handler there can never spin
// on it and the holder is never preempted: a held spinlock is a critical
// section, and must stay short.
//
// The interrupt state belongs to whoever took the lock (SpinLockGuard keeps
// it), not to the lock: a thread that sleeps with a lock released and takes
// it again later must get its own state back, whatever other holders did in
// between.
#pragma once

#include <stdint.h>

#include <arch/platform.h>
#include <lib/thread_annotations.h>

class CAPABILITY("spinlock") SpinLock {
 public:
  constexpr SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  // Interrupts must already be masked.
  void acquire() ACQUIRE() {
    while (__atomic_exchange_n(&locked_, 1, __ATOMIC_ACQUIRE) != 0) {
      while (__atomic_load_n(&locked_, __ATOMIC_RELAXED) != 0) arch::Platform::cpu_relax();
    }
  }
  void release() RELEASE() { __atomic_store_n(&locked_, 0, __ATOMIC_RELEASE); }
  bool held() const { return __atomic_load_n(&locked_, __ATOMIC_RELAXED) != 0; }

 private:
  uint32_t locked_ = 0;
};

// RAII: masks interrupts and holds `lock` for the enclosing scope.
class SCOPED_CAPABILITY SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock& lock) ACQUIRE(lock)
      : lock_(lock), flags_(arch::Platform::save_and_disable_interrupts()) {
    lock_.acquire();
  }
  ~SpinLockGuard() RELEASE() {
    lock_.release();
    arch::Platform::restore_interrupts(flags_);
  }

 private:
  SpinLock& lock_;
  uintptr_t flags_;
};

// RAII: masks interrupts on this CPU for the enclosing scope (no lock).
class InterruptsMasked {
 public:
  InterruptsMasked() : flags_(arch::Platform::save_and_disable_interrupts()) {}
  ~InterruptsMasked() { arch::Platform::restore_interrupts(flags_); }
  InterruptsMasked(const InterruptsMasked&) = delete;
  InterruptsMasked& operator=(const InterruptsMasked&) = delete;

 private:
  uintptr_t flags_;
};
