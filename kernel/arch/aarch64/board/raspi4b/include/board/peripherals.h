// Raspberry Pi 4 Model B (BCM2711): where the ARM cores see the peripherals
// the arch layer drives before any driver process exists.
//
// In the firmware's default "low peripheral" mode the BCM2711 maps the
// VideoCore bus window 0x7E000000 to ARM physical 0xFE000000 (with
// arm_peri_high=1 in config.txt it moves to 0x47C000000, which mica does not
// support). Offsets inside the window match the BCM2837.
#pragma once

// The physical range start.S maps as Device memory before the MMU is on, in
// 2 MiB blocks: the main peripherals, the ARM local peripherals and the
// GIC-400 all lie in the top 64 MiB below 4 GiB.
#define BOARD_DEVICE_WINDOW_BASE 0xFC000000
#define BOARD_DEVICE_WINDOW_END 0x100000000

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

namespace board {

inline constexpr uintptr_t kPeripheralBase = 0xFE000000;
inline constexpr uintptr_t kMailboxBase = kPeripheralBase + 0xB880;
inline constexpr uintptr_t kGpioBase = kPeripheralBase + 0x200000;
inline constexpr uintptr_t kPl011Base = kPeripheralBase + 0x201000;
// The 1 MHz system timer; its compare registers 0-3 raise device interrupts
// 0-3 (the self-tests use compare 1).
inline constexpr uintptr_t kSystemTimerBase = kPeripheralBase + 0x3000;

// The PL011 reference clock the Pi 4 firmware sets up by default.
inline constexpr uint32_t kPl011ClockHz = 48'000'000;

// The BCM2711 sets GPIO pulls through GPIO_PUP_PDN_CNTRL_REGn, two bits per
// pin, instead of the BCM2835 GPPUD/GPPUDCLK clocking sequence.
inline constexpr bool kGpioHasPullRegisters = true;

// The ARM local peripherals and the GIC-400 (BCM2711 peripherals manual,
// chapter 6; the firmware enables the GIC, enable_gic=1, by default).
inline constexpr uintptr_t kLocalPeripheralBase = 0xFF800000;
inline constexpr uintptr_t kGicDistributorBase = 0xFF841000;
inline constexpr uintptr_t kGicCpuInterfaceBase = 0xFF842000;

// Physical ranges the kernel maps as Device memory in its direct map.
struct DeviceRange {
  uintptr_t base;
  size_t size;
};
inline constexpr DeviceRange kDeviceRanges[] = {
    {0xFC000000, 0x04000000},
};

}  // namespace board

#endif  // __ASSEMBLER__
