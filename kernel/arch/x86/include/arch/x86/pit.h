// The 8254 programmable interval timer: 1.193182 MHz, the PC's fixed time
// base. Used to calibrate the TSC and the local APIC timer, and as the i586's
// periodic timer when there is no APIC.
#pragma once

#include <stdint.h>

namespace arch::x86 {

inline constexpr uint32_t kPitHz = 1193182;

// Channel 0, rate generator at `hz` (IRQ 0).
void pit_start_periodic(uint32_t hz);

// Busy-waits `microseconds` (at most 50,000) on channel 2, polled: usable
// with interrupts off, before any other timer works.
void pit_wait_us(uint32_t microseconds);

}  // namespace arch::x86
