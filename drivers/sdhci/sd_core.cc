#include "sd_core.h"

namespace sd {

uint32_t r2_bits(const uint32_t response[4], unsigned high, unsigned low) {
  uint32_t value = 0;
  for (unsigned bit = high + 1; bit-- > low;) {
    unsigned at = bit - 8;  // the dropped CRC byte
    value = (value << 1) | ((response[at / 32] >> (at % 32)) & 1);
  }
  return value;
}

uint64_t csd_sectors(const uint32_t response[4]) {
  switch (r2_bits(response, 127, 126)) {
    case 0: {
      uint64_t c_size = r2_bits(response, 73, 62);
      uint32_t multiplier = r2_bits(response, 49, 47);
      uint32_t read_block_length = r2_bits(response, 83, 80);
      uint64_t bytes = (c_size + 1) << (multiplier + 2 + read_block_length);
      return bytes / 512;
    }
    case 1:
      return (static_cast<uint64_t>(r2_bits(response, 69, 48)) + 1) * 1024;  // 512 KiB units
    default:
      return 0;
  }
}

uint32_t clock_divider_bits(uint32_t base_hz, uint32_t target_hz, bool ten_bit) {
  if (target_hz == 0) target_hz = 1;
  if (ten_bit) {
    if (base_hz <= target_hz) return 0;
    uint32_t n = (base_hz + 2 * target_hz - 1) / (2 * target_hz);
    if (n > 1023) n = 1023;
    return ((n & 0xff) << 8) | ((n >> 8) << 6);
  }
  uint32_t n = 1;
  while (n < 256 && base_hz / n > target_hz) n <<= 1;
  return (n >> 1) << 8;  // 0 is the base itself, 0x01 base / 2 ...
}

uint32_t clock_from_divider_bits(uint32_t base_hz, uint32_t bits, bool ten_bit) {
  uint32_t n = (bits >> 8) & 0xff;
  if (ten_bit) {
    n |= ((bits >> 6) & 3) << 8;
    return n == 0 ? base_hz : base_hz / (2 * n);
  }
  return n == 0 ? base_hz : base_hz / (2 * n);
}

}  // namespace sd
