// i586 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/i586/layout.h>
#include <arch/i586/page_table_format.h>
#include <arch/x86/machine.h>
#include <arch/x86/serial.h>
#include <arch/x86/tsc.h>

namespace arch {

struct Platform {
  static void console_write(const char* text, size_t length) { x86::serial_write(text, length); }
  static void dump_registers();
  static void disable_interrupts() { x86::disable_interrupts(); }
  // The kernel's quarter of the address space.
  static bool is_kernel_stack_address(uintptr_t address) { return address >= 0xc0000000u; }
  static void* phys_to_virt(uint64_t phys);
  static uint64_t virt_to_phys(const void* virt);
  static uint64_t boot_accessible_limit();
  static size_t boot_reservations(mm::Reservation* out, size_t max);
  static lib::Result<uint64_t> init_kernel_address_space(mm::FrameSource& frames,
                                                         const boot::BootInfo& info);

  // Address spaces: user space is page-directory slots 0..767 (3 GiB).
  using PageTableFormat = i586::PageTableFormat;
  static constexpr bool kHasNoExecute = false;
  static constexpr unsigned kUserSlotBegin = 0;
  static constexpr unsigned kUserSlotEnd = 768;
  static constexpr uint64_t kKernelAreaBase = KERNEL_AREA_BASE;
  static constexpr uint64_t kKernelAreaSize = 64u << 20;  // its page tables exist from boot
  static uint64_t kernel_root();
  static lib::Result<uint64_t> new_user_root(mm::FrameSource& frames);
  static void activate_address_space(uint64_t root, uint16_t) {
    asm volatile("mov %0, %%cr3" : : "r"(static_cast<uint32_t>(root)) : "memory");
  }
  static void activate_kernel_address_space() { activate_address_space(kernel_root(), 0); }
  static void invalidate_tlb_page(uint64_t virt) {
    asm volatile("invlpg (%0)" : : "r"(static_cast<uint32_t>(virt)) : "memory");
  }

  // Time: the PIT ticks through the 8259; the TSC is the monotonic clock.
  static lib::Result<void> start_timer(uint32_t hz, void (*tick)(), const char** name);
  static uint64_t monotonic_ns();
  static void enable_interrupts() { asm volatile("sti" ::: "memory"); }
  static uint64_t read_cycle_counter() { return x86::rdtsc(); }

  [[noreturn]] static void idle_forever() {
    for (;;) asm volatile("sti; hlt");
  }
  [[noreturn]] static void stop(StopReason reason) { x86::stop(reason); }
};

static_assert(PlatformContract<Platform>);

}  // namespace arch
