// x86 machine control shared by x86_64 and i586.
#pragma once

#include <arch/contract.h>

namespace arch::x86 {

inline void disable_interrupts() {
  asm volatile("cli" ::: "memory");
}

[[noreturn]] inline void halt_forever() {
  for (;;) asm volatile("hlt");
}

// Stops the machine. Under QEMU the isa-debug-exit device (port 0xf4) ends the
// VM with status (value << 1) | 1: 1 for a power-off, 3 for a panic. On real
// hardware nothing answers at that port and the CPU halts with interrupts off.
[[noreturn]] void stop(StopReason reason);

}  // namespace arch::x86
