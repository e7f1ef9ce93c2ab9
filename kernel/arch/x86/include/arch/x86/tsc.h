// The time-stamp counter as the monotonic clock, calibrated against the PIT.
#pragma once

#include <stdint.h>

namespace arch::x86 {

inline uint64_t rdtsc() {
  uint32_t low, high;
  asm volatile("rdtsc" : "=a"(low), "=d"(high));
  return (uint64_t{high} << 32) | low;
}

// Measures the TSC frequency over 10 ms windows of PIT time (the best of
// two that agree, or of three); returns it in Hz.
uint64_t tsc_calibrate();
uint64_t tsc_hz();

// Nanoseconds since calibration.
uint64_t tsc_ns();

}  // namespace arch::x86
