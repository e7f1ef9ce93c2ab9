// The TSC clock's fixed-point conversion (tsc_scale.h) against exact 128-bit
// arithmetic and against the exact quotient ticks * 1e9 / hz.
#include <vector>

#include <gtest/gtest.h>

#include <arch/x86/tsc_scale.h>

namespace {

using arch::x86::tsc_ns_scale;
using arch::x86::tsc_ticks_to_ns;

unsigned __int128 product(uint64_t a, uint64_t b) {
  return static_cast<unsigned __int128>(a) * b;
}

// Frequencies from a slow Pentium to above 2^32 Hz, and QEMU's icount rate.
const uint64_t kHz[] = {60000000,   133000000,  1000000000, 1000000007,
                        2399999900, 3000000000, 4294967295, 5000000000};

// Tick counts of every size up to decades of uptime.
std::vector<uint64_t> tick_counts(uint64_t hz) {
  std::vector<uint64_t> ticks = {0, 1, 2, 0xffffffff, 0x100000000, 0x100000001};
  for (uint64_t t = 3; t < hz * 3600ull * 24 * 365 * 50; t += t / 2 + 1) ticks.push_back(t);
  return ticks;
}

TEST(TscScale, ScaleIsNanosecondsPerTickIn32_32) {
  EXPECT_EQ(tsc_ns_scale(1000000000), uint64_t{1} << 32);
  EXPECT_EQ(tsc_ns_scale(2000000000), uint64_t{1} << 31);
  EXPECT_EQ(tsc_ns_scale(500000000), uint64_t{2} << 32);
  EXPECT_EQ(tsc_ns_scale(3000000000), (uint64_t{1000000000} << 32) / 3000000000);
}

TEST(TscScale, MatchesExactFixedPointProduct) {
  for (uint64_t hz : kHz) {
    uint64_t scale = tsc_ns_scale(hz);
    for (uint64_t t : tick_counts(hz)) {
      auto exact = static_cast<uint64_t>(product(t, scale) >> 32);
      ASSERT_EQ(tsc_ticks_to_ns(t, scale), exact) << "hz " << hz << " ticks " << t;
    }
  }
}

// Within a part in 10^9 (plus the truncation's nanosecond) of the exact
// nanoseconds, never ahead of them.
TEST(TscScale, CloseToExactNanoseconds) {
  for (uint64_t hz : kHz) {
    uint64_t scale = tsc_ns_scale(hz);
    for (uint64_t t : tick_counts(hz)) {
      auto exact = static_cast<uint64_t>(product(t, 1000000000) / hz);
      uint64_t ns = tsc_ticks_to_ns(t, scale);
      ASSERT_LE(ns, exact) << "hz " << hz << " ticks " << t;
      uint64_t allowed = 1 + exact / (hz <= 0xffffffff ? 1000000000 : 100000000);
      ASSERT_LE(exact - ns, allowed) << "hz " << hz << " ticks " << t;
    }
  }
}

TEST(TscScale, Monotonic) {
  uint64_t scale = tsc_ns_scale(2399999900);
  uint64_t previous = 0;
  for (uint64_t t = 0xfffff000; t < 0x100001000; ++t) {
    uint64_t ns = tsc_ticks_to_ns(t, scale);
    ASSERT_GE(ns, previous) << t;
    previous = ns;
  }
}

TEST(TscScale, UncalibratedClockReadsZero) {
  EXPECT_EQ(tsc_ticks_to_ns(123456789, 0), 0u);
}

}  // namespace
