#include "sd_core.h"

#include <gtest/gtest.h>

namespace {

// A 128-bit register (bit 0 the end bit) as SDHCI's four response words:
// register bit n at response bit n - 8.
struct Register {
  uint32_t response[4] = {};
  void set(unsigned high, unsigned low, uint32_t value) {
    for (unsigned bit = low; bit <= high; ++bit) {
      unsigned at = bit - 8;
      uint32_t mask = 1u << (at % 32);
      if ((value >> (bit - low)) & 1) {
        response[at / 32] |= mask;
      } else {
        response[at / 32] &= ~mask;
      }
    }
  }
};

TEST(SdCore, R2Bits) {
  Register r;
  r.set(127, 120, 0xa5);
  r.set(71, 40, 0x12345678);  // across two words
  EXPECT_EQ(sd::r2_bits(r.response, 127, 120), 0xa5u);
  EXPECT_EQ(sd::r2_bits(r.response, 71, 40), 0x12345678u);
  EXPECT_EQ(r.response[3] >> 16, 0xa5u);
}

TEST(SdCore, CsdStandardCapacity) {
  // What QEMU gives a 128 MiB card: 512-byte blocks, C_SIZE_MULT 7.
  Register r;
  r.set(127, 126, 0);
  r.set(83, 80, 9);  // READ_BL_LEN: 512
  r.set(49, 47, 7);  // x 512
  r.set(73, 62, 511);
  EXPECT_EQ(sd::csd_sectors(r.response), 512u * 512 * 512 / 512);  // 128 MiB
  r.set(83, 80, 10);  // 1024-byte blocks: twice the size
  EXPECT_EQ(sd::csd_sectors(r.response), 2u * 512 * 512);
}

TEST(SdCore, CsdHighCapacity) {
  Register r;
  r.set(127, 126, 1);
  r.set(69, 48, 15159);  // an 8 GB card: (C_SIZE + 1) x 512 KiB
  EXPECT_EQ(sd::csd_sectors(r.response), 15160ull * 1024);
  r.set(127, 126, 2);
  EXPECT_EQ(sd::csd_sectors(r.response), 0u);  // unknown structure
}

TEST(SdCore, TenBitDivider) {
  // 52 MHz (QEMU's raspi3b) to 400 kHz: N = 65, 400 kHz exactly.
  uint32_t bits = sd::clock_divider_bits(52'000'000, 400'000, true);
  EXPECT_EQ(bits, 65u << 8);
  EXPECT_EQ(sd::clock_from_divider_bits(52'000'000, bits, true), 400'000u);
  // Never faster than asked; N above 255 uses bits 7:6.
  bits = sd::clock_divider_bits(250'000'000, 200'000, true);
  EXPECT_LE(sd::clock_from_divider_bits(250'000'000, bits, true), 200'000u);
  EXPECT_EQ(bits, ((625u & 0xff) << 8) | ((625u >> 8) << 6));
  EXPECT_EQ(sd::clock_divider_bits(25'000'000, 50'000'000, true), 0u);  // the base itself
  bits = sd::clock_divider_bits(250'000'000, 1, true);
  EXPECT_EQ(sd::clock_from_divider_bits(250'000'000, bits, true), 250'000'000u / 2046);
}

TEST(SdCore, PowerOfTwoDivider) {
  uint32_t bits = sd::clock_divider_bits(52'000'000, 400'000, false);
  EXPECT_EQ(bits, 0x80u << 8);  // base / 256: 203 kHz (base / 128 would be 406 kHz)
  EXPECT_LE(sd::clock_from_divider_bits(52'000'000, bits, false), 400'000u);
  EXPECT_EQ(sd::clock_divider_bits(52'000'000, 26'000'000, false), 0x01u << 8);
  EXPECT_EQ(sd::clock_divider_bits(52'000'000, 52'000'000, false), 0u);
}

}  // namespace
