// i586 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/i586/layout.h>
#include <arch/i586/page_table_format.h>
#include <arch/x86/fpu.h>
#include <arch/x86/machine.h>
#include <arch/x86/platform_base.h>
#include <arch/x86/serial.h>
#include <arch/x86/thread.h>
#include <arch/x86/tsc.h>

// context.S: saves the callee-saved registers on the current stack and its
// pointer in *from, then resumes *to.
extern "C" void i586_switch_context(void* from, void* to);

namespace arch {

struct Platform : x86::PlatformBase {
  static void dump_registers();
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

  // Threads (Context and FpuState come from x86::PlatformBase).
  static void init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                           void* argument);
  // init_context, but the first switch calls start(entry, argument) rather
  // than core's sched_thread_start (for arch tests).
  static void init_context_calling(Context& context, uintptr_t stack_top, x86::ThreadStart start,
                                   void (*entry)(void*), void* argument);
  static void switch_context(Context& from, Context& to) { i586_switch_context(&from, &to); }
  static void fpu_switch(FpuState* next);
  static void fpu_release(FpuState& state);

  // CPUs: the Pentium board has one.
  static unsigned current_cpu() { return 0; }
  static unsigned cpu_count() { return 1; }
  static void set_cpu_hooks(const CpuHooks& hooks);
  // Returns 1: there is no other CPU to start.
  static lib::Result<unsigned> start_secondary_cpus(void (*entry)(unsigned));
  // Only CPU 0 exists; sending to it does nothing.
  static void send_ipi(unsigned cpu, Ipi kind);
  static void invalidate_tlb_all() {
    uintptr_t root;
    asm volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(root) : : "memory");
  }

  [[noreturn]] static void idle_forever() {
    for (;;) asm volatile("sti; hlt");
  }
};

static_assert(PlatformContract<Platform>);

}  // namespace arch
