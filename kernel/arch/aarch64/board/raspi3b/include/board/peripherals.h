// Raspberry Pi 3 Model B/B+ (BCM2837): where the ARM cores see the
// peripherals the arch layer drives before any driver process exists.
//
// The VideoCore bus places the peripherals at 0x7E000000; the BCM2837 maps
// that window to ARM physical 0x3F000000. Offsets inside it are shared with
// the other BCM283x/2711 chips, only the base moves.
#pragma once

// The physical range start.S maps as Device memory before the MMU is on, in
// 2 MiB blocks: the peripherals and the ARM local peripherals (BCM2836 local
// interrupt controller) right above them.
#define BOARD_DEVICE_WINDOW_BASE 0x3F000000
#define BOARD_DEVICE_WINDOW_END 0x40200000

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

namespace board {

inline constexpr uintptr_t kPeripheralBase = 0x3F000000;
inline constexpr uintptr_t kMailboxBase = kPeripheralBase + 0xB880;
inline constexpr uintptr_t kGpioBase = kPeripheralBase + 0x200000;
inline constexpr uintptr_t kPl011Base = kPeripheralBase + 0x201000;
// The 1 MHz system timer; its compare registers 0-3 raise device interrupts
// 0-3 (the self-tests use compare 1).
inline constexpr uintptr_t kSystemTimerBase = kPeripheralBase + 0x3000;
// The BCM2835 interrupt controller of the GPU ("device") interrupts 0-63.
inline constexpr uintptr_t kIrqControllerBase = kPeripheralBase + 0xB200;

// The PL011 reference clock the firmware sets up by default (init_uart_clock).
inline constexpr uint32_t kPl011ClockHz = 48'000'000;

// The BCM2837 GPIO block changes pulls with the GPPUD/GPPUDCLK clocking
// sequence; the BCM2711 has direct per-pin pull registers instead.
inline constexpr bool kGpioHasPullRegisters = false;

// The ARM local peripherals (BCM2836 "ARM Quad A7 core" block, unchanged in
// the BCM2837): per-core timer and mailbox interrupt routing.
inline constexpr uintptr_t kLocalPeripheralBase = 0x40000000;

// Physical ranges the kernel maps as Device memory in its direct map.
struct DeviceRange {
  uintptr_t base;
  size_t size;
};
inline constexpr DeviceRange kDeviceRanges[] = {
    {kPeripheralBase, 0x01000000},
    {kLocalPeripheralBase, 0x40000},
};

}  // namespace board

#endif  // __ASSEMBLER__
