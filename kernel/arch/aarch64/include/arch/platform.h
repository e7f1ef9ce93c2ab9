// The AArch64 platform (Raspberry Pi 3B/4B): the console is the PL011 UART,
// the timer the ARM generic timer, the machine stops through Arm semihosting
// under QEMU and parks on hardware. Implements the contract in
// <arch/contract.h>; the virtual memory layout is in <arch/aarch64/layout.h>.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/aarch64/cpu.h>
#include <arch/aarch64/frame.h>
#include <arch/aarch64/layout.h>
#include <arch/aarch64/page_table_format.h>
#include <arch/contract.h>

// context.S.
extern "C" void aarch64_switch_context(arch::aarch64::Context* from, arch::aarch64::Context* to);

namespace arch {

struct Platform {
  // Polled PL011 output with "\n" -> "\r\n"; no locks, so panics can use it.
  static void console_write(const char* text, size_t length);

  // Prints x0-x30, SP and CurrentEL. Inside an exception handler it prints
  // the trapped context instead, with ELR, SPSR, ESR and FAR.
  static void dump_registers();

  // The higher half (TTBR1): the kernel image, its stacks, the direct map.
  static bool is_kernel_stack_address(uintptr_t address) { return address >= KERNEL_VIRTUAL_BASE; }

  // ---- Memory (see arch/contract.h and layout.h) ----
  // The direct map starts at DIRECT_MAP_BASE; the kernel image lies inside
  // it (KERNEL_VIRTUAL_BASE == DIRECT_MAP_BASE), so one subtraction serves
  // both.
  static void* phys_to_virt(uint64_t phys) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(phys + DIRECT_MAP_BASE));
  }
  static uint64_t virt_to_phys(const void* virt) {
    return reinterpret_cast<uintptr_t>(virt) - DIRECT_MAP_BASE;
  }
  // What start.S's boot page tables map as RAM.
  static uint64_t boot_accessible_limit() { return BOOT_DIRECT_MAP_LIMIT; }
  static size_t boot_reservations(mm::Reservation* out, size_t max);
  static lib::Result<uint64_t> init_kernel_address_space(mm::FrameSource& frames,
                                                         const boot::BootInfo& info);

  // ---- Address spaces ----
  // The kernel lives in TTBR1; user space owns all of TTBR0 (its 512 root
  // slots, 256 TiB), so a user root starts empty.
  using PageTableFormat = aarch64::PageTableFormat;
  static constexpr unsigned kUserSlotBegin = 0;
  static constexpr unsigned kUserSlotEnd = 512;
  static constexpr uint64_t kKernelAreaBase = KERNEL_AREA_BASE;
  static constexpr uint64_t kKernelAreaSize = KERNEL_AREA_SIZE;
  // PXN/UXN in every descriptor.
  static constexpr bool kHasNoExecute = true;
  // TLB entries of user mappings are tagged with the address space's ASID.
  static constexpr bool kHasAsids = true;
  // The TTBR1 root (valid after init_kernel_address_space).
  static uint64_t kernel_root();
  static lib::Result<uint64_t> new_user_root(mm::FrameSource& frames);
  // Loads TTBR0 with `root` tagged with `asid`. No TLB flush: user mappings
  // are non-global, so TLB entries are per ASID. The rule callers keep: ASID
  // 0 is the kernel's (activate_kernel_address_space), every live address
  // space has its own ASID below asid_count(), and an ASID is flushed
  // (flush_asid) before it is given to another address space.
  static void activate_address_space(uint64_t root, uint16_t asid) {
    uint64_t ttbr0 = root | (uint64_t{asid} << 48);
    asm volatile("msr ttbr0_el1, %0; isb" : : "r"(ttbr0) : "memory");
  }
  // Points TTBR0 at an empty table with ASID 0: any lower-half access
  // faults. An empty table creates no TLB entries, so nothing to invalidate.
  static void activate_kernel_address_space();
  // 256 or 65536 (ID_AA64MMFR0_EL1.ASIDBits; start.S enables 16-bit ASIDs
  // where the CPU has them).
  static uint32_t asid_count();
  // Drops every TLB entry tagged with `asid` on all CPUs (inner shareable).
  static void flush_asid(uint16_t asid) {
    uint64_t operand = uint64_t{asid} << 48;
    asm volatile("dsb ishst; tlbi aside1is, %0; dsb ish; isb" : : "r"(operand) : "memory");
  }
  // A changed or removed kernel (global) mapping at `virt`: all ASIDs, all
  // levels, inner shareable. Also publishes a new mapping to the walker.
  static void invalidate_tlb_page(uint64_t virt) {
    uint64_t operand = (virt >> 12) & ((uint64_t{1} << 44) - 1);
    asm volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb" : : "r"(operand) : "memory");
  }

  // ---- Time and interrupts ----
  // The ARM generic timer (EL1 physical timer, CNTP_*), routed by the BCM2836
  // local interrupt controller (raspi3b) or the GIC-400 (raspi4b).
  static lib::Result<void> start_timer(uint32_t hz, void (*tick)(), const char** name);
  // CNTPCT_EL0 scaled by CNTFRQ_EL0 (0 if the counter has no frequency).
  static uint64_t monotonic_ns();
  // PMCCNTR_EL0, enabled at boot (timer.cc). QEMU's counts guest
  // instructions under -icount shift=0.
  static uint64_t read_cycle_counter() {
    uint64_t count;
    asm volatile("isb; mrs %0, pmccntr_el0" : "=r"(count));
    return count;
  }
  static void enable_interrupts() { asm volatile("msr daifclr, #2" ::: "memory"); }
  static void disable_interrupts() { asm volatile("msr daifset, #0xf" ::: "memory"); }

  // ---- Threads (cpu.h, context.S, thread.cc) ----
  using Context = aarch64::Context;
  using FpuState = aarch64::FpuState;
  // The first switch to `context` enters a trampoline in context.S that
  // calls core's sched_thread_start(entry, argument) on the stack ending at
  // `stack_top` (rounded down to 16 bytes), with x29 = 0 ending backtraces.
  static void init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                           void* argument);
  // Stores x19-x30 and SP in `from`, loads them from `to`, returns into `to`.
  static void switch_context(Context& from, Context& to) { aarch64_switch_context(&from, &to); }
  // Lazy FP/SIMD through CPACR_EL1.FPEN; see thread.cc for the SMP rules.
  static void fpu_init(FpuState& state);
  static void fpu_switch(FpuState* next);
  static void fpu_release(FpuState& state);

  // ---- CPUs (cpu.cc) ----
  // DAIF is the token; masking I and F (FIQs are never used, but a stray one
  // must not interrupt a section that masked IRQs).
  static uintptr_t save_and_disable_interrupts() {
    uintptr_t daif;
    asm volatile("mrs %0, daif; msr daifset, #3" : "=r"(daif) : : "memory");
    return daif;
  }
  static void restore_interrupts(uintptr_t daif) {
    asm volatile("msr daif, %0" : : "r"(daif) : "memory");
  }
  static bool interrupts_enabled() {
    uintptr_t daif;
    asm volatile("mrs %0, daif" : "=r"(daif) : : "memory");
    return (daif & (1u << 7)) == 0;  // DAIF.I
  }
  static void cpu_relax() { asm volatile("yield" ::: "memory"); }
  static unsigned current_cpu() { return aarch64::this_cpu().index; }
  // TPIDR_EL1 and then the block: masked, so no migration comes between.
  static void* current_thread() {
    uintptr_t flags = save_and_disable_interrupts();
    void* thread = aarch64::this_cpu().current_thread;
    restore_interrupts(flags);
    return thread;
  }
  static void set_current_thread(void* thread) { aarch64::this_cpu().current_thread = thread; }
  static unsigned cpu_count();
  static void set_cpu_hooks(const CpuHooks& hooks);
  // Cores 1-3 wait in the firmware's spin table (physical 0xd8 + 8 * core);
  // each is released in turn and given 100 ms to check in.
  static lib::Result<unsigned> start_secondary_cpus(void (*entry)(unsigned));
  // BCM2836 core mailbox 0 (raspi3b) or a GIC-400 SGI (raspi4b, untested);
  // one bit or SGI number per Ipi kind.
  static void send_ipi(unsigned cpu, Ipi kind);
  // Local: tlbi vmalle1 drops every entry of this CPU, global ones too.
  static void invalidate_tlb_all() {
    asm volatile("dsb nshst; tlbi vmalle1; dsb nsh; isb" ::: "memory");
  }
  // WFI with IRQs still masked wakes on a pending IRQ without taking it;
  // unmasking then takes it. So no IRQ is lost between a check and the wfi.
  static void wait_for_interrupt() {
    asm volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
  }

  // Waits for interrupts forever, with IRQs unmasked.
  [[noreturn]] static void idle_forever();

  // Semihosting SYS_EXIT (QEMU -semihosting exits with 0 for kPowerOff, 1 for
  // kPanic). Without a semihosting host the `hlt` traps as an undefined
  // instruction and the exception handler parks the CPU.
  [[noreturn]] static void stop(StopReason reason);

  // ---- User mode (user.cc, vectors.S, user_copy.S, irq.cc) ----
  // User space is all of TTBR0: 48-bit VAs (T0SZ = 16).
  static constexpr uint64_t kUserTop = uint64_t{1} << 48;
  // Every EL0 register an exception from EL0 saved on the thread's kernel
  // stack: x0-x30, SP_EL0, ELR, SPSR (and ESR, FAR). System calls: `svc #0`,
  // the number in x8, arguments in x0-x5, results in x0-x4.
  using UserFrame = aarch64::RegisterFrame;
  static uintptr_t syscall_number(const UserFrame& frame) { return frame.x[8]; }
  static uintptr_t* syscall_registers(UserFrame& frame) { return &frame.x[0]; }
  static constexpr bool kSyscallReturnContexts = false;  // (see x86_64)
  static void set_syscall_value(UserFrame& frame, uintptr_t value) { frame.x[0] = value; }
  // ERETs to EL0t at `ip` with SP_EL0 = sp, x0 = arg0, x1 = arg1, every other
  // general register zero, DAIF clear, and SP_EL1 at the top of the thread's
  // kernel stack (where the UserFrames of later exceptions go).
  [[noreturn]] static void enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1);
  // Exceptions from EL0 use SP_EL1, which a thread leaves at its stack top
  // whenever it is in user mode; the top is only noted for enter_user.
  static void set_kernel_stack(uintptr_t top) { aarch64::this_cpu().kernel_stack_top = top; }
  // TPIDR_EL0 belongs to the running thread (switch_context moves it).
  static void set_user_thread_pointer(uintptr_t pointer) {
    asm volatile("msr tpidr_el0, %0" : : "r"(pointer) : "memory");
  }
  // With LDTR/STTR (EL0's permissions), recovering faults (user_copy.S).
  static bool copy_from_user(void* to, uintptr_t user_from, size_t size);
  static bool copy_to_user(uintptr_t user_to, const void* from, size_t size);

  // No I/O ports: devices are memory-mapped.
  struct IoPorts {};
  static constexpr bool kHasIoPorts = false;
  static void io_ports_init(IoPorts&) {}
  static lib::Result<void> io_ports_allow(IoPorts&, uint32_t, uint32_t) {
    return lib::Status::kNotSupported;
  }
  static void activate_io_ports(const IoPorts*) {}

  // Device interrupts 0-63: the BCM2835 ("GPU") interrupt numbers, on both
  // boards (raspi3b: the BCM2835 controller via the BCM2836 local
  // controller's GPU route to core 0; raspi4b: GIC-400 SPIs 96-159 targeted
  // at core 0). The kernel's tick is a per-core local interrupt outside this
  // numbering, so it is never routable. irq_route installs the handler with
  // the line masked; irq_unmask enables it; the handler runs on CPU 0 with
  // the line masked again (irq.cc).
  static constexpr unsigned kIrqCount = 64;
  static lib::Result<void> irq_route(unsigned irq, void (*handler)(unsigned));
  static void irq_unmask(unsigned irq);
  static void irq_release(unsigned irq);
};

}  // namespace arch

static_assert(arch::PlatformContract<arch::Platform>);
static_assert(arch::UserContract<arch::Platform>);
