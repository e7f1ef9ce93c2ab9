// x86 machine control shared by x86_64 and i586.
#pragma once

#include <stdint.h>

#include <arch/contract.h>

namespace arch::x86 {

inline void disable_interrupts() {
  asm volatile("cli" ::: "memory");
}

inline constexpr uintptr_t kFlagsInterruptEnable = 1u << 9;

inline uintptr_t read_flags() {
  uintptr_t flags;
  asm volatile("pushf\n\tpop %0" : "=r"(flags) : : "memory");
  return flags;
}

// Masks interrupts; returns the flags to give back to restore_interrupts.
inline uintptr_t save_and_disable_interrupts() {
  uintptr_t flags;
  asm volatile("pushf\n\tpop %0\n\tcli" : "=r"(flags) : : "memory");
  return flags;
}

inline void restore_interrupts(uintptr_t flags) {
  if (flags & kFlagsInterruptEnable) asm volatile("sti" ::: "memory");
}

inline bool interrupts_enabled() {
  return (read_flags() & kFlagsInterruptEnable) != 0;
}

// Enables interrupts and halts atomically (STI holds interrupts off for one
// more instruction, so one arriving in between still wakes the HLT), then
// masks them again.
inline void wait_for_interrupt() {
  asm volatile("sti\n\thlt\n\tcli" ::: "memory");
}

// A spin-wait hint.
inline void cpu_relax() {
  asm volatile("pause" ::: "memory");
}

[[noreturn]] inline void halt_forever() {
  for (;;) asm volatile("hlt");
}

// Stops the machine. Under QEMU the isa-debug-exit device (port 0xf4) ends the
// VM with status (value << 1) | 1: 1 for a power-off, 3 for a panic. On real
// hardware nothing answers at that port and the CPU halts with interrupts off.
[[noreturn]] void stop(StopReason reason);

}  // namespace arch::x86
