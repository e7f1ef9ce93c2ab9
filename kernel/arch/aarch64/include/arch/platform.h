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

  // Memory (see arch/contract.h). The MMU is still off on AArch64: physical
  // and virtual addresses are the same, and init_kernel_address_space only
  // reports that (the MMU, TTBR1 kernel and W^X are the next step here).
  static void* phys_to_virt(uint64_t phys) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(phys));
  }
  static uint64_t virt_to_phys(const void* virt) { return reinterpret_cast<uintptr_t>(virt); }
  static uint64_t boot_accessible_limit() { return uint64_t{1} << 40; }
  static size_t boot_reservations(mm::Reservation* out, size_t max);
  static lib::Result<uint64_t> init_kernel_address_space(mm::FrameSource& frames,
                                                         const boot::BootInfo& info);

  static void disable_interrupts() { asm volatile("msr daifset, #0xf" ::: "memory"); }

  [[noreturn]] static void idle_forever();

  // Semihosting SYS_EXIT (QEMU -semihosting exits with 0 for kPowerOff, 1 for
  // kPanic). Without a semihosting host the `hlt` traps as an undefined
  // instruction and the exception handler parks the CPU.
  [[noreturn]] static void stop(StopReason reason);
};

}  // namespace arch

static_assert(arch::PlatformContract<arch::Platform>);
