// 64-bit division for i586, which clang lowers to compiler-runtime calls.
// A 32-bit divisor (the common case: printing numbers) takes two divl
// instructions; anything else shift-and-subtract.
#include <stdint.h>

static uint64_t divide(uint64_t numerator, uint64_t denominator, uint64_t* remainder) {
  if (denominator == 0) {
    __builtin_trap();
  }
  if ((denominator >> 32) == 0) {
    uint32_t d = (uint32_t)denominator;
    uint32_t high = (uint32_t)(numerator >> 32);
    uint32_t q_high = high / d;
    uint32_t r = high % d;
    uint32_t q_low;
    // (r:low) / d: r < d, so the quotient fits 32 bits.
    __asm__("divl %4" : "=a"(q_low), "=d"(r) : "a"((uint32_t)numerator), "d"(r), "rm"(d));
    if (remainder) {
      *remainder = r;
    }
    return ((uint64_t)q_high << 32) | q_low;
  }
  uint64_t quotient = 0;
  uint64_t rest = 0;
  for (int bit = 63; bit >= 0; --bit) {
    rest = (rest << 1) | ((numerator >> bit) & 1);
    if (rest >= denominator) {
      rest -= denominator;
      quotient |= (uint64_t)1 << bit;
    }
  }
  if (remainder) {
    *remainder = rest;
  }
  return quotient;
}

static uint64_t magnitude(int64_t value) {
  return value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
}

uint64_t __udivdi3(uint64_t a, uint64_t b) {
  return divide(a, b, 0);
}

uint64_t __umoddi3(uint64_t a, uint64_t b) {
  uint64_t r;
  divide(a, b, &r);
  return r;
}

uint64_t __udivmoddi4(uint64_t a, uint64_t b, uint64_t* remainder) {
  return divide(a, b, remainder);
}

int64_t __divdi3(int64_t a, int64_t b) {
  uint64_t q = divide(magnitude(a), magnitude(b), 0);
  return (a < 0) != (b < 0) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t a, int64_t b) {
  uint64_t r;
  divide(magnitude(a), magnitude(b), &r);
  return a < 0 ? -(int64_t)r : (int64_t)r;
}
