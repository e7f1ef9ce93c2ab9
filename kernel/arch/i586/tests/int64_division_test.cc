// The i586 kernel's 64-bit division routines (int64_division.cc), built for
// the host and checked against the host's native 64-bit division: the
// boundaries of each path (divisor below and above 2^32, quotient words,
// the correction step) and a large pseudo-random sample.
#include <stdint.h>

#include <gtest/gtest.h>

extern "C" {
uint64_t __udivdi3(uint64_t a, uint64_t b);
uint64_t __umoddi3(uint64_t a, uint64_t b);
int64_t __divdi3(int64_t a, int64_t b);
int64_t __moddi3(int64_t a, int64_t b);
}

namespace {

void expect_unsigned(uint64_t a, uint64_t b) {
  ASSERT_NE(b, 0u);
  EXPECT_EQ(__udivdi3(a, b), a / b) << a << " / " << b;
  EXPECT_EQ(__umoddi3(a, b), a % b) << a << " % " << b;
}

void expect_signed(int64_t a, int64_t b) {
  ASSERT_NE(b, 0);
  if (a == INT64_MIN && b == -1) return;  // overflows in C++ too
  EXPECT_EQ(__divdi3(a, b), a / b) << a << " / " << b;
  EXPECT_EQ(__moddi3(a, b), a % b) << a << " % " << b;
}

// xorshift64*: a fixed sequence, so a failure reproduces.
uint64_t next(uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

const uint64_t kEdges[] = {
    0,
    1,
    2,
    3,
    7,
    10,
    1000000000,
    0x7fffffff,
    0x80000000,
    0xfffffffe,
    0xffffffff,
    0x100000000,
    0x100000001,
    0x1ffffffff,
    0x3b9aca00ull * 1000000000ull,
    0x7fffffffffffffff,
    0x8000000000000000,
    0xfffffffeffffffff,
    0xffffffff00000000,
    0xffffffff00000001,
    0xfffffffffffffffe,
    0xffffffffffffffff,
};

TEST(Int64Division, UnsignedEdges) {
  for (uint64_t a : kEdges) {
    for (uint64_t b : kEdges) {
      if (b != 0) expect_unsigned(a, b);
    }
  }
}

TEST(Int64Division, SignedEdges) {
  for (uint64_t x : kEdges) {
    for (uint64_t y : kEdges) {
      if (y == 0) continue;
      auto a = static_cast<int64_t>(x), b = static_cast<int64_t>(y);
      expect_signed(a, b);
      if (b != INT64_MIN) expect_signed(a, -b);
      if (a == INT64_MIN) continue;  // -a overflows
      expect_signed(-a, b);
      if (b != INT64_MIN) expect_signed(-a, -b);
    }
  }
}

// What the TSC clock divides: ticks by a frequency that fits in 32 bits,
// and the sub-second rest scaled to nanoseconds.
TEST(Int64Division, ClockConversion) {
  const uint64_t hz[] = {60000000, 1000000000, 3000000000, 0xffffffff};
  for (uint64_t f : hz) {
    for (uint64_t ticks = 0; ticks < (uint64_t{1} << 62); ticks = ticks * 3 + 12345) {
      expect_unsigned(ticks, f);
      expect_unsigned((ticks % f) * 1000000000ull, f);
    }
  }
}

// Random operands of every pair of bit lengths, so both paths and the
// correction step are covered with many values.
TEST(Int64Division, RandomAcrossBitLengths) {
  uint64_t state = 0x9e3779b97f4a7c15;
  for (int a_bits = 1; a_bits <= 64; ++a_bits) {
    for (int b_bits = 1; b_bits <= 64; ++b_bits) {
      for (int i = 0; i < 64; ++i) {
        uint64_t a = next(state) >> (64 - a_bits);
        uint64_t b = next(state) >> (64 - b_bits);
        if (b == 0) b = 1;
        expect_unsigned(a, b);
        expect_signed(static_cast<int64_t>(a), static_cast<int64_t>(b));
        expect_signed(-static_cast<int64_t>(a >> 1), static_cast<int64_t>(b));
      }
    }
  }
}

}  // namespace
