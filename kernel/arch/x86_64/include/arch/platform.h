// x86_64 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/x86/exceptions.h>
#include <arch/x86/fpu.h>
#include <arch/x86/io_ports.h>
#include <arch/x86/machine.h>
#include <arch/x86/platform_base.h>
#include <arch/x86/serial.h>
#include <arch/x86/thread.h>
#include <arch/x86/tsc.h>
#include <arch/x86_64/layout.h>
#include <arch/x86_64/page_table_format.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>

// context.S: saves the callee-saved registers on the current stack and its
// pointer in *from, then resumes *to.
extern "C" void x86_64_switch_context(void* from, void* to);
// user_entry.S: saves as x86_64_switch_context does into *from, then leaves
// for user mode from `frame` (a syscall TrapFrame at the top of the stack it
// switches to).
extern "C" void x86_64_switch_to_syscall_return(void* from, void* frame);

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

  // Threads (FpuState comes from x86::PlatformBase; Context adds the user
  // FS base to its stack pointer).
  using Context = x86_64::Context;
  static void init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                           void* argument);
  // init_context, but the first switch calls start(entry, argument) rather
  // than core's sched_thread_start (for arch tests).
  static void init_context_calling(Context& context, uintptr_t stack_top, x86::ThreadStart start,
                                   void (*entry)(void*), void* argument);
  // The FS base changes only for user threads: a kernel thread's is 0, and
  // user code can set FS only to 0 (a selector load) or to what it asked
  // for (WRFSBASE stays disabled), so when both are 0 the register is too.
  static void switch_context(Context& from, Context& to) {
    if ((from.user_fs_base | to.user_fs_base) != 0) x86_64::write_fs_base(to.user_fs_base);
    x86_64::this_cpu().current_context = &to;
    x86_64_switch_context(&from, &to);
  }
  static void fpu_switch(FpuState* next) { x86::fpu_switch(x86_64::this_cpu().fpu, next); }
  static void fpu_release(FpuState& state);

  // CPUs.
  static unsigned current_cpu() { return x86_64::this_cpu_index(); }
  static void* current_thread() { return x86_64::current_thread(); }
  static void set_current_thread(void* thread) { x86_64::this_cpu().current_thread = thread; }
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

  // ---- User mode (user.cc, user_entry.S) ----
  // The lower canonical half less its top page, so no user instruction can
  // end at the canonical boundary (a SYSCALL there would return to a
  // non-canonical RIP).
  static constexpr uint64_t kUserTop = 0x00007ffffffff000;
  // A system call's or trap's saved registers, at the top of the thread's
  // kernel stack.
  using UserFrame = x86_64::TrapFrame;
  static uintptr_t syscall_number(const UserFrame& frame) { return frame.rax; }
  // Arguments in rdi rsi rdx r10 r8 r9 (consecutive in the TrapFrame),
  // results in rax rsi rdx r10 r8.
  static uintptr_t* syscall_registers(UserFrame& frame) { return &frame.rdi; }
  static void set_syscall_value(UserFrame& frame, uintptr_t value) { frame.rax = value; }
  // A thread blocked in a system call can be resumed straight in user mode,
  // as if the call had returned what its frame now holds: the IPC fast path
  // answers a waiting receiver that way, without unwinding its kernel stack.
  static constexpr bool kSyscallReturnContexts = true;
  // The frame of the system call a thread with this kernel stack is in.
  static UserFrame& syscall_frame(uintptr_t kernel_stack_top) {
    return *reinterpret_cast<UserFrame*>(kernel_stack_top - sizeof(UserFrame));
  }
  // The next switch to `context` (a thread blocked in a system call, off
  // every CPU) leaves for user mode from `frame`; its user thread pointer
  // stays. `frame` must be as the thread's SYSCALL entry built it, changed
  // only in the result registers: its RIP and RFLAGS are not checked again.
  static void init_context_syscall_return(Context& context, UserFrame& frame);
  // switch_context to `to`, a thread so resumed, without laying its context
  // out first: it leaves for user mode from `frame` at once.
  static void switch_to_syscall_return(Context& from, Context& to, UserFrame& frame) {
    if ((from.user_fs_base | to.user_fs_base) != 0) x86_64::write_fs_base(to.user_fs_base);
    x86_64::this_cpu().current_context = &to;
    x86_64_switch_to_syscall_return(&from, &frame);
  }
  [[noreturn]] static void enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1);
  // RSP0 in this CPU's TSS and the SYSCALL entry's stack.
  static void set_kernel_stack(uintptr_t top) {
    x86_64::PerCpu& cpu = x86_64::this_cpu();
    cpu.kernel_stack_top = top;
    *cpu.tss_rsp0 = top;
  }
  // The FS base.
  static void set_user_thread_pointer(uintptr_t pointer);
  static bool copy_from_user(void* buffer, uintptr_t from, size_t size);
  static bool copy_to_user(uintptr_t to, const void* data, size_t size);

  // I/O ports: the TSS's permission bitmap, loaded per process.
  using IoPorts = x86::IoPorts;
  static constexpr bool kHasIoPorts = true;
  static void io_ports_init(IoPorts& ports);
  static lib::Result<void> io_ports_allow(IoPorts& ports, uint32_t base, uint32_t count);
  static void activate_io_ports(const IoPorts* ports);

  // ISA IRQs 0-15 through the I/O APIC (interrupts.cc); 0 (the PIT) and 2
  // (the cascade) are not routable.
  static constexpr unsigned kIrqCount = 16;
  static lib::Result<void> irq_route(unsigned irq, void (*handler)(unsigned));
  static void irq_unmask(unsigned irq);
  static void irq_release(unsigned irq);
};

static_assert(PlatformContract<Platform>);
static_assert(UserContract<Platform>);

}  // namespace arch
