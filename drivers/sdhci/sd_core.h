// The hardware-free part of the SDHCI driver: what an SD card's CSD says
// about its size, and the SDHCI clock divider for a wanted card clock.
// Only <stdint.h>: built for user space and for the host (unit tests).
#pragma once

#include <stdint.h>

namespace sd {

// Bits [high:low] (high - low < 32) of a CSD or CID register as an SDHCI
// controller presents an R2 response: RESPONSE0..3 hold register bits
// 127..8 shifted down by 8 (the CRC byte dropped).
uint32_t r2_bits(const uint32_t response[4], unsigned high, unsigned low);

// The card's capacity in 512-byte sectors from its CSD (structure 1.0:
// standard capacity; 2.0: SDHC/SDXC); 0 for an unknown structure.
uint64_t csd_sectors(const uint32_t response[4]);

// The Clock Control register's divider field (bits 15:6) giving a card
// clock of at most `target_hz` from the base clock `base_hz`. Host
// controller spec 3.00 (`ten_bit`): base / (2N), N up to 1023, N = 0 the
// base itself; before it, base / N for N a power of two up to 256.
uint32_t clock_divider_bits(uint32_t base_hz, uint32_t target_hz, bool ten_bit);

// The card clock those bits give.
uint32_t clock_from_divider_bits(uint32_t base_hz, uint32_t bits, bool ten_bit);

}  // namespace sd
