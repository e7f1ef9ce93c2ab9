// 64-bit division for a 32-bit CPU. Clang lowers 64-bit `/` and `%` on i586
// to these compiler-runtime calls; the freestanding kernel provides them.
//
// They are on hot paths: the monotonic clock (x86::tsc_ns, read on every
// thread wake) divides TSC ticks by the TSC frequency twice. So they use the
// CPU's 64-by-32-bit DIV instead of a bit-at-a-time loop (which cost ~2,700
// instructions a call): one or two DIVs when the divisor fits in 32 bits,
// one DIV on normalized operands plus a correction step when it does not
// (the quotient then fits in 32 bits).
//
// Also built for the host, where tests/int64_division_test.cc checks them
// against the host's native 64-bit division.
#include <stdint.h>

namespace {

// (high:low) / divisor with one DIV. Needs high < divisor, so that the
// quotient fits in 32 bits (DIV raises #DE otherwise).
inline uint32_t divide_64_by_32(uint32_t high, uint32_t low, uint32_t divisor,
                                uint32_t* remainder) {
  uint32_t quotient, rest;
  asm("divl %4" : "=a"(quotient), "=d"(rest) : "a"(low), "d"(high), "rm"(divisor) : "cc");
  *remainder = rest;
  return quotient;
}

uint64_t divide(uint64_t numerator, uint64_t denominator, uint64_t* remainder) {
  if (denominator == 0) __builtin_trap();
  auto numerator_high = static_cast<uint32_t>(numerator >> 32);
  auto numerator_low = static_cast<uint32_t>(numerator);
  uint64_t quotient;
  uint64_t rest;
  if (denominator >> 32 == 0) {
    auto divisor = static_cast<uint32_t>(denominator);
    // Schoolbook division in base 2^32: the high word, then the remainder
    // with the low word (the remainder is below the divisor, so DIV cannot
    // overflow).
    uint32_t quotient_high = numerator_high / divisor;
    uint32_t carry = numerator_high % divisor;
    uint32_t rest_low;
    uint32_t quotient_low = divide_64_by_32(carry, numerator_low, divisor, &rest_low);
    quotient = (uint64_t{quotient_high} << 32) | quotient_low;
    rest = rest_low;
  } else {
    // The divisor has high bits, so the quotient is below 2^32. Shift the
    // divisor left until its top bit is set and divide numerator / 2 by its
    // top 32 bits: that estimate is the true quotient or one more than it
    // after the shift is undone and one is taken off (Hacker's Delight,
    // 9-5), so at most one correction follows.
    int shift = __builtin_clzll(denominator);  // 0..31
    auto divisor_top = static_cast<uint32_t>((denominator << shift) >> 32);
    uint64_t half = numerator >> 1;
    uint32_t unused;
    uint32_t estimate = divide_64_by_32(static_cast<uint32_t>(half >> 32),
                                        static_cast<uint32_t>(half), divisor_top, &unused);
    uint64_t candidate = (uint64_t{estimate} << shift) >> 31;
    if (candidate != 0) --candidate;
    rest = numerator - candidate * denominator;
    if (rest >= denominator) {
      ++candidate;
      rest -= denominator;
    }
    quotient = candidate;
  }
  if (remainder != nullptr) *remainder = rest;
  return quotient;
}

uint64_t magnitude(int64_t value) {
  return value < 0 ? 0 - static_cast<uint64_t>(value) : value;
}

}  // namespace

extern "C" {

uint64_t __udivdi3(uint64_t a, uint64_t b) {
  return divide(a, b, nullptr);
}

uint64_t __umoddi3(uint64_t a, uint64_t b) {
  uint64_t r;
  divide(a, b, &r);
  return r;
}

int64_t __divdi3(int64_t a, int64_t b) {
  uint64_t q = divide(magnitude(a), magnitude(b), nullptr);
  return (a < 0) != (b < 0) ? static_cast<int64_t>(0 - q) : static_cast<int64_t>(q);
}

int64_t __moddi3(int64_t a, int64_t b) {
  uint64_t r;
  divide(magnitude(a), magnitude(b), &r);
  return a < 0 ? static_cast<int64_t>(0 - r) : static_cast<int64_t>(r);
}

}  // extern "C"
