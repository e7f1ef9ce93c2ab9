// The AArch64 platform (Raspberry Pi 3B/4B): the console is the PL011 UART,
// the machine stops through Arm semihosting under QEMU and parks on hardware.
// Implements the contract in <arch/contract.h>.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>

namespace arch {

struct Platform {
  // Polled PL011 output with "\n" -> "\r\n"; no locks, so panics can use it.
  static void console_write(const char* text, size_t length);

  // Prints x0-x30, SP and CurrentEL. Inside an exception handler it prints
  // the trapped context instead, with ELR, SPSR, ESR and FAR.
  static void dump_registers();

  // The kernel image (its .bss holds the boot stack); the MMU is still off.
  static bool is_kernel_stack_address(uintptr_t address);

  static void disable_interrupts() { asm volatile("msr daifset, #0xf" ::: "memory"); }

  [[noreturn]] static void idle_forever();

  // Semihosting SYS_EXIT (QEMU -semihosting exits with 0 for kPowerOff, 1 for
  // kPanic). Without a semihosting host the `hlt` traps as an undefined
  // instruction and the exception handler parks the CPU.
  [[noreturn]] static void stop(StopReason reason);
};

}  // namespace arch

static_assert(arch::PlatformContract<arch::Platform>);
