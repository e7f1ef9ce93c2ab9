// Self-tests of the timer and the monotonic clock.
#include <arch/platform.h>
#include <core/ktest.h>
#include <core/time.h>

namespace {

// 50 ticks take 500 ms on the monotonic clock: no less than 450 (a tick
// never comes early), no more than 750. The upper margin is wide because
// the SMP ktests run QEMU without icount, where a loaded host delays timer
// interrupts (560 ms seen in CI); a wrong divisor is off by 2x or more.
KTEST(timer, tick_rate) {
  uint64_t start_tick = ktime::ticks();
  while (ktime::ticks() == start_tick) asm volatile("" ::: "memory");
  uint64_t first = ktime::ticks();
  uint64_t start = ktime::now_ns();
  while (ktime::ticks() < first + 50) asm volatile("" ::: "memory");
  uint64_t elapsed_ms = (ktime::now_ns() - start) / 1000000;
  KEXPECT(elapsed_ms >= 450 && elapsed_ms <= 750);
}

KTEST(timer, monotonic) {
  uint64_t last = ktime::now_ns();
  for (int i = 0; i < 10000; ++i) {
    uint64_t now = ktime::now_ns();
    KEXPECT(now >= last);
    last = now;
  }
}

}  // namespace
