// Raspberry Pi 3 Model B/B+ (BCM2837): where the ARM cores see the
// peripherals the arch layer drives before any driver process exists.
//
// The VideoCore bus places the peripherals at 0x7E000000; the BCM2837 maps
// that window to ARM physical 0x3F000000. Offsets inside it are shared with
// the other BCM283x/2711 chips, only the base moves.
#pragma once

#include <stdint.h>

namespace board {

inline constexpr uintptr_t kPeripheralBase = 0x3F000000;
inline constexpr uintptr_t kMailboxBase = kPeripheralBase + 0xB880;
inline constexpr uintptr_t kGpioBase = kPeripheralBase + 0x200000;
inline constexpr uintptr_t kPl011Base = kPeripheralBase + 0x201000;

// The PL011 reference clock the firmware sets up by default (init_uart_clock).
inline constexpr uint32_t kPl011ClockHz = 48'000'000;

// The BCM2837 GPIO block changes pulls with the GPPUD/GPPUDCLK clocking
// sequence; the BCM2711 has direct per-pin pull registers instead.
inline constexpr bool kGpioHasPullRegisters = false;

}  // namespace board
