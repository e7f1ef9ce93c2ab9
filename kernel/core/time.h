// Kernel time: a periodic tick from the board's timer and a calibrated
// monotonic clock.
#pragma once

#include <stdint.h>

namespace ktime {

inline constexpr uint32_t kTickHz = 100;

// Starts the tick (panics if the board has no working timer: nothing can be
// scheduled without one) and reports the source. Interrupts stay masked.
void init();

// Ticks since init(); advanced from interrupt context.
uint64_t ticks();

// Nanoseconds on the monotonic clock.
uint64_t now_ns();

}  // namespace ktime
