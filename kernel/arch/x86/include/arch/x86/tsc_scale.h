// TSC ticks to nanoseconds without a division on the read path: a 32.32
// fixed-point nanoseconds-per-tick factor, computed once at calibration.
// A 32-bit CPU has no 64-bit divide instruction (the compiler-runtime
// division costs tens of instructions, twice per clock read with the
// seconds/rest split); a multiply is four 32-bit MULs there and one on
// x86_64.
#pragma once

#include <stdint.h>

namespace arch::x86 {

// The factor for a counter of `hz` ticks per second: 1e9 * 2^32 / hz,
// truncated (the clock then runs slow by less than 1/scale: under one part
// in 10^9 for any hz up to 2^32, far below the calibration's own error).
// Needs hz >= 1.
constexpr uint64_t tsc_ns_scale(uint64_t hz) {
  return (uint64_t{1000000000} << 32) / hz;
}

// floor(ticks * scale / 2^32), exact as long as the result fits in 64 bits
// (584 years of nanoseconds): the partial products of the two 32-bit halves
// are summed modulo 2^64, which is exact when the true sum fits. Monotonic
// in ticks.
constexpr uint64_t tsc_ticks_to_ns(uint64_t ticks, uint64_t scale) {
  uint64_t t_low = static_cast<uint32_t>(ticks), t_high = ticks >> 32;
  uint64_t s_low = static_cast<uint32_t>(scale), s_high = scale >> 32;
  return ((t_high * s_high) << 32) + t_high * s_low + t_low * s_high + ((t_low * s_low) >> 32);
}

}  // namespace arch::x86
