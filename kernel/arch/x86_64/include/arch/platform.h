// x86_64 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/x86/machine.h>
#include <arch/x86/serial.h>

namespace arch {

struct Platform {
  static void console_write(const char* text, size_t length) { x86::serial_write(text, length); }
  static void dump_registers();
  static void disable_interrupts() { x86::disable_interrupts(); }
  // The higher half: the kernel image, its stacks and the direct map.
  static bool is_kernel_stack_address(uintptr_t address) {
    return address >= 0xffff800000000000ull;
  }
  static void* phys_to_virt(uint64_t phys);
  static uint64_t virt_to_phys(const void* virt);
  static uint64_t boot_accessible_limit();
  static size_t boot_reservations(mm::Reservation* out, size_t max);
  static lib::Result<uint64_t> init_kernel_address_space(mm::FrameSource& frames,
                                                         const boot::BootInfo& info);

  [[noreturn]] static void idle_forever() {
    for (;;) asm volatile("sti; hlt");
  }
  [[noreturn]] static void stop(StopReason reason) { x86::stop(reason); }
};

static_assert(PlatformContract<Platform>);

}  // namespace arch
