// The part of the platform contract (arch/contract.h) every x86 platform
// implements the same way: the 16550 console, interrupt state, the TSC as
// the cycle counter, the FPU state format and machine stop. x86_64 and i586
// derive their arch::Platform from it and add what differs.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/x86/fpu.h>
#include <arch/x86/machine.h>
#include <arch/x86/serial.h>
#include <arch/x86/tsc.h>

namespace arch::x86 {

struct PlatformBase {
  // No address-space identifiers (PCID unused): loading CR3 flushes the TLB.
  static constexpr bool kHasAsids = false;
  static void console_write(const char* text, size_t length) { serial_write(text, length); }
  static void disable_interrupts() { x86::disable_interrupts(); }
  static void enable_interrupts() { asm volatile("sti" ::: "memory"); }
  static uintptr_t save_and_disable_interrupts() { return x86::save_and_disable_interrupts(); }
  static void restore_interrupts(uintptr_t flags) { x86::restore_interrupts(flags); }
  static bool interrupts_enabled() { return x86::interrupts_enabled(); }
  static void cpu_relax() { x86::cpu_relax(); }
  static void wait_for_interrupt() { x86::wait_for_interrupt(); }
  static uint64_t read_cycle_counter() { return rdtsc(); }

  // A suspended thread's callee-saved registers are on its stack under its
  // resume address; Context holds the stack pointer.
  struct Context {
    uintptr_t stack_pointer;
  };
  using FpuState = x86::FpuState;
  static void fpu_init(FpuState& state) { fpu_init_state(state); }

  [[noreturn]] static void stop(StopReason reason) { x86::stop(reason); }
};

}  // namespace arch::x86
