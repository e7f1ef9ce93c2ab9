// x86_64 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/x86/machine.h>
#include <arch/x86/serial.h>
#include <arch/x86/tsc.h>
#include <arch/x86_64/layout.h>
#include <arch/x86_64/page_table_format.h>

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

  // Address spaces: user space is PML4 slots 0..255 (128 TiB, the lower
  // canonical half); the kernel half is shared.
  using PageTableFormat = x86_64::PageTableFormat;
  static constexpr bool kHasNoExecute = true;
  static constexpr unsigned kUserSlotBegin = 0;
  static constexpr unsigned kUserSlotEnd = 256;
  static constexpr uint64_t kKernelAreaBase = KERNEL_AREA_BASE;
  static constexpr uint64_t kKernelAreaSize = uint64_t{1} << 39;
  static uint64_t kernel_root();
  static lib::Result<uint64_t> new_user_root(mm::FrameSource& frames);
  // x86 has no ASIDs without PCID; loading CR3 flushes the non-global TLB.
  static void activate_address_space(uint64_t root, uint16_t) {
    asm volatile("mov %0, %%cr3" : : "r"(root) : "memory");
  }
  static void activate_kernel_address_space() { activate_address_space(kernel_root(), 0); }
  static void invalidate_tlb_page(uint64_t virt) {
    asm volatile("invlpg (%0)" : : "r"(virt) : "memory");
  }

  // Time: the local APIC timer ticks; the TSC is the monotonic clock.
  static lib::Result<void> start_timer(uint32_t hz, void (*tick)(), const char** name);
  static uint64_t monotonic_ns();
  static void enable_interrupts() { asm volatile("sti" ::: "memory"); }
  static uint64_t read_cycle_counter() { return x86::rdtsc(); }

  // The ACPI RSDP the boot loader passed (0 if none); set by boot.cc.
  static uint64_t boot_acpi_rsdp();

  [[noreturn]] static void idle_forever() {
    for (;;) asm volatile("sti; hlt");
  }
  [[noreturn]] static void stop(StopReason reason) { x86::stop(reason); }
};

static_assert(PlatformContract<Platform>);

}  // namespace arch
