// x86_64 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/x86/fpu.h>
#include <arch/x86/machine.h>
#include <arch/x86/platform_base.h>
#include <arch/x86/serial.h>
#include <arch/x86/thread.h>
#include <arch/x86/tsc.h>
#include <arch/x86_64/layout.h>
#include <arch/x86_64/page_table_format.h>
#include <arch/x86_64/per_cpu.h>

// context.S: saves the callee-saved registers on the current stack and its
// pointer in *from, then resumes *to.
extern "C" void x86_64_switch_context(void* from, void* to);

namespace arch {

struct Platform : x86::PlatformBase {
  static void dump_registers();
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

  // Threads (Context and FpuState come from x86::PlatformBase).
  static void init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                           void* argument);
  // init_context, but the first switch calls start(entry, argument) rather
  // than core's sched_thread_start (for arch tests).
  static void init_context_calling(Context& context, uintptr_t stack_top, x86::ThreadStart start,
                                   void (*entry)(void*), void* argument);
  static void switch_context(Context& from, Context& to) { x86_64_switch_context(&from, &to); }
  static void fpu_switch(FpuState* next);
  static void fpu_release(FpuState& state);

  // CPUs.
  static unsigned current_cpu() { return x86_64::this_cpu_index(); }
  static unsigned cpu_count();
  static void set_cpu_hooks(const CpuHooks& hooks);
  static lib::Result<unsigned> start_secondary_cpus(void (*entry)(unsigned));
  // Fixed IPIs on vectors 0xf0 + kind.
  static void send_ipi(unsigned cpu, Ipi kind);
  // CR4.PGE is off, so reloading CR3 flushes every entry.
  static void invalidate_tlb_all() {
    uintptr_t root;
    asm volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(root) : : "memory");
  }

  // The ACPI RSDP the boot loader passed (0 if none); set by boot.cc.
  static uint64_t boot_acpi_rsdp();

  [[noreturn]] static void idle_forever() {
    for (;;) asm volatile("sti; hlt");
  }
};

static_assert(PlatformContract<Platform>);

}  // namespace arch
