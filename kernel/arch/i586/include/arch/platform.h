// i586 implementation of the platform contract (arch/contract.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/contract.h>
#include <arch/i586/layout.h>
#include <arch/i586/page_table_format.h>
#include <arch/i586/trap_frame.h>
#include <arch/x86/fpu.h>
#include <arch/x86/io_ports.h>
#include <arch/x86/machine.h>
#include <arch/x86/platform_base.h>
#include <arch/x86/serial.h>
#include <arch/x86/thread.h>
#include <arch/x86/tsc.h>

// context.S: saves the callee-saved registers on the current stack and its
// pointer in *from, then resumes *to.
extern "C" void i586_switch_context(void* from, void* to);
// trap_entry.S: the first iret to user mode; the user copy with fault
// recovery (false if it faulted).
extern "C" [[noreturn]] void i586_enter_user(uint32_t ip, uint32_t sp, uint32_t arg0,
                                             uint32_t arg1);
extern "C" bool i586_copy_user(void* dst, const void* src, size_t n);

namespace arch {

namespace i586 {
// The running thread (Platform::current_thread): one CPU, one variable.
inline constinit void* g_current_thread = nullptr;
}  // namespace i586

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

  // Threads (FpuState comes from x86::PlatformBase). A suspended thread's
  // callee-saved registers are on its stack under its resume address;
  // Context holds the stack pointer (context.S relies on it coming first)
  // and the thread's user thread pointer.
  struct Context {
    uintptr_t stack_pointer;
    uintptr_t user_thread_pointer;
  };
  static void init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                           void* argument);
  // init_context, but the first switch calls start(entry, argument) rather
  // than core's sched_thread_start (for arch tests).
  static void init_context_calling(Context& context, uintptr_t stack_top, x86::ThreadStart start,
                                   void (*entry)(void*), void* argument);
  static void switch_context(Context& from, Context& to) {
    switch_user_thread_pointer(from, to);
    i586_switch_context(&from, &to);
  }
  static void fpu_switch(FpuState* next);
  static void fpu_release(FpuState& state);

  // CPUs: the Pentium board has one.
  static unsigned current_cpu() { return 0; }
  static void* current_thread() { return i586::g_current_thread; }
  static void set_current_thread(void* thread) { i586::g_current_thread = thread; }
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

  // ---- User mode (arch::UserContract) ----
  // User space is everything below the kernel's 3 GiB.
  static constexpr uint64_t kUserTop = KERNEL_VIRTUAL_BASE;
  // int $0x80 saves the user registers as a TrapFrame (register use:
  // sysroot/include/mica/syscall.h).
  using UserFrame = i586::TrapFrame;
  static uintptr_t syscall_number(const UserFrame& frame) { return frame.eax; }
  // Arguments in ebx ecx edx esi edi ebp (consecutive in the TrapFrame),
  // results in eax ecx edx esi edi.
  static uintptr_t* syscall_registers(UserFrame& frame) { return &frame.ebx; }
  static constexpr bool kSyscallReturnContexts = false;  // (see x86_64)
  static void set_syscall_value(UserFrame& frame, uintptr_t value) { frame.eax = value; }
  [[noreturn]] static void enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1);
  static void set_kernel_stack(uintptr_t stack_top) { i586::set_tss_kernel_stack(stack_top); }
  static void set_user_thread_pointer(uintptr_t pointer);
  static bool copy_from_user(void* buffer, uintptr_t address, size_t size) {
    return is_user_range(address, size) &&
           i586_copy_user(buffer, reinterpret_cast<const void*>(address), size);
  }
  static bool copy_to_user(uintptr_t address, const void* data, size_t size) {
    return is_user_range(address, size) &&
           i586_copy_user(reinterpret_cast<void*>(address), data, size);
  }

  // I/O ports: the running process's bitmap is copied into the TSS.
  using IoPorts = x86::IoPorts;
  static constexpr bool kHasIoPorts = true;
  static void io_ports_init(IoPorts& ports) { ports.init(); }
  static lib::Result<void> io_ports_allow(IoPorts& ports, uint32_t base, uint32_t count) {
    return ports.allow(base, count);
  }
  static void activate_io_ports(const IoPorts* ports) {
    x86::load_io_bitmap(i586::tss_io_bitmap(), i586::tss_io_bitmap_extent(), ports);
  }

  // Device interrupts: the ISA IRQs of the 8259 pair. IRQ 0 (the PIT, the
  // kernel's tick) and 2 (the cascade) are not routable.
  static constexpr unsigned kIrqCount = 16;
  static lib::Result<void> irq_route(unsigned irq, void (*handler)(unsigned));
  static void irq_unmask(unsigned irq);
  static void irq_release(unsigned irq);

 private:
  static bool is_user_range(uintptr_t address, size_t size) {
    return address < kUserTop && size <= kUserTop - address;
  }
  static void switch_user_thread_pointer(Context& from, Context& to);
};

static_assert(PlatformContract<Platform>);
static_assert(UserContract<Platform>);

}  // namespace arch
