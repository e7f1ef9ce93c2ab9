// The platform contract: what every architecture gives the arch-free kernel.
//
// Core code includes <arch/platform.h>; each arch's GN config puts its own
// include/ directory on the path, so the header resolves to that arch's
// implementation (kernel/arch/<arch>/include/arch/platform.h). That header
// defines `arch::Platform` and includes this file, whose static_assert checks
// the contract at compile time for every arch.
//
// An arch also provides:
//  - the entry point the boot loader jumps to, which sets up a stack and the
//    CPU mode, fills a boot::BootInfo from what the loader handed over, and
//    calls kernel_main() (core/main.h);
//  - a linker script that defines __build_id_start/__build_id_end around the
//    .note.gnu.build-id section (core prints the build id in the banner).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/boot/boot_info.h>
#include <core/mm/page_table.h>
#include <core/mm/physical_memory.h>
#include <lib/concepts.h>
#include <lib/result.h>

namespace arch {

// How the machine stops. Under QEMU the exit code reaches the host (x86:
// isa-debug-exit; AArch64: semihosting); on real hardware the CPU halts.
// Inter-processor interrupts core asks for.
enum class Ipi : uint8_t {
  kReschedule = 0,    // run the scheduler on that CPU (a thread became runnable there)
  kTlbShootdown = 1,  // flush the TLB entries core queued for that CPU
  kStop = 2,          // stop that CPU (panic elsewhere)
};

// The arch's interrupt and IPI entry points call into core through these
// (defined in kernel/core/sched).
struct CpuHooks {
  // Every timer tick on every CPU, from interrupt context.
  void (*tick)();
  // An IPI arrived on this CPU, from interrupt context.
  void (*ipi)(Ipi kind);
  // On the way out of any interrupt, with interrupts still masked: core may
  // switch threads here (kernel preemption). `frame` is opaque to core.
  void (*interrupt_exit)();
};

enum class StopReason : uint8_t {
  kPowerOff = 0,  // orderly power-off
  kPanic = 1,     // kernel panic: tests see a failure exit code
  kReboot = 2,    // reset the machine (QEMU -no-reboot: it exits, status 0)
};

template <typename P>
concept PlatformContract = requires(const char* text, size_t length) {
  // Writes to the board's serial console, synchronously, from the first
  // instruction of kernel_main to the last of a panic. Translates "\n" to
  // "\r\n". Must not allocate or take locks a panicking CPU could hold.
  { P::console_write(text, length) } -> lib::same_as<void>;
  // Prints the calling CPU's registers on the console (for panics).
  { P::dump_registers() } -> lib::same_as<void>;
  // True if `address` may hold a kernel stack frame (backtraces follow frame
  // pointers only through such addresses, so a corrupt chain cannot fault).
  { P::is_kernel_stack_address(uintptr_t{}) } -> lib::same_as<bool>;
  // Masks interrupts on the calling CPU.
  { P::disable_interrupts() } -> lib::same_as<void>;
  // ---- Memory ----
  // The kernel reaches physical memory through phys_to_virt (a direct map);
  // virt_to_phys takes any kernel address (direct map or kernel image).
  { P::phys_to_virt(uint64_t{}) } -> lib::same_as<void*>;
  { P::virt_to_phys(static_cast<const void*>(nullptr)) } -> lib::same_as<uint64_t>;
  // Until init_kernel_address_space, phys_to_virt works below this address.
  { P::boot_accessible_limit() } -> lib::same_as<uint64_t>;
  // Physical ranges the boot left in use that the memory map does not show
  // (the kernel image, firmware areas); writes up to `max`, returns the count.
  {
    P::boot_reservations(static_cast<mm::Reservation*>(nullptr), size_t{})
    } -> lib::same_as<size_t>;
  // Builds and switches to the kernel's address space: a direct map of RAM,
  // the kernel image with least rights (W^X), guard pages under the kernel
  // stacks, no mapping at address 0. Returns the new reach of phys_to_virt.
  {
    P::init_kernel_address_space(*static_cast<mm::FrameSource*>(nullptr),
                                 *static_cast<const boot::BootInfo*>(nullptr))
    } -> lib::same_as<lib::Result<uint64_t>>;
  // Address spaces. The arch names its page-table format
  // (P::PageTableFormat) and the root-table slots user space owns
  // [kUserSlotBegin, kUserSlotEnd). new_user_root allocates a root whose
  // kernel part is shared with every other address space (x86: copies of the
  // kernel root's upper entries; AArch64: the kernel lives in TTBR1, so the
  // TTBR0 root starts empty). activate loads a root (and ASID where the arch
  // has them).
  // The kernel's root table (valid after init_kernel_address_space) and the
  // kernel virtual area [kKernelAreaBase, +kKernelAreaSize) where
  // mm::map_physical places device and firmware mappings.
  { P::kernel_root() } -> lib::same_as<uint64_t>;
  { P::kKernelAreaBase } -> lib::same_as<const uint64_t&>;
  { P::kKernelAreaSize } -> lib::same_as<const uint64_t&>;
  // Whether mappings can be made non-executable (the i586 cannot).
  { P::kHasNoExecute } -> lib::same_as<const bool&>;
  // Whether user TLB entries carry an ASID (AArch64): only then are ASIDs
  // allocated (and bounded).
  { P::kHasAsids } -> lib::same_as<const bool&>;
  typename P::PageTableFormat;
  requires mm::PageTableFormat<typename P::PageTableFormat>;
  { P::kUserSlotBegin } -> lib::same_as<const unsigned&>;
  { P::kUserSlotEnd } -> lib::same_as<const unsigned&>;
  {
    P::new_user_root(*static_cast<mm::FrameSource*>(nullptr))
    } -> lib::same_as<lib::Result<uint64_t>>;
  { P::activate_address_space(uint64_t{}, uint16_t{}) } -> lib::same_as<void>;
  { P::activate_kernel_address_space() } -> lib::same_as<void>;
  // Makes a page-table change at `virt` visible on this CPU: barriers for a
  // new mapping, a TLB invalidation for a changed or removed one. Other CPUs
  // are told through the shootdown the SMP work adds (the hook is here).
  { P::invalidate_tlb_page(uint64_t{}) } -> lib::same_as<void>;

  // ---- Time and interrupts ----
  // Starts the board's periodic timer on the boot CPU, calibrated, calling
  // `tick` from interrupt context `hz` times a second. Describes the source
  // it chose in `name` (e.g. "local APIC timer, calibrated against the PIT").
  {
    P::start_timer(uint32_t{}, static_cast<void (*)()>(nullptr), static_cast<const char**>(nullptr))
    } -> lib::same_as<lib::Result<void>>;
  // Nanoseconds since an arbitrary point at boot; monotonic, calibrated.
  { P::monotonic_ns() } -> lib::same_as<uint64_t>;
  { P::enable_interrupts() } -> lib::same_as<void>;
  // The CPU's cycle counter (x86: TSC; AArch64: PMCCNTR_EL0), for
  // benchmarks. Under QEMU with -icount shift=0 it advances one per guest
  // instruction, which is what tools/bench reports.
  { P::read_cycle_counter() } -> lib::same_as<uint64_t>;
  // ---- Threads ----
  // P::Context holds a suspended thread's CPU state (callee-saved registers,
  // stack pointer; the FPU state lives in P::FpuState). Core keeps one per
  // thread and never looks inside.
  typename P::Context;
  typename P::FpuState;
  // Prepares `context` so that the first switch to it runs entry(argument)
  // on the stack that ends at `stack_top`, with interrupts enabled.
  {
    P::init_context(*static_cast<typename P::Context*>(nullptr), uintptr_t{},
                    static_cast<void (*)(void*)>(nullptr), static_cast<void*>(nullptr))
    } -> lib::same_as<void>;
  // Saves the running thread's state into `from` and resumes `to`; returns
  // when something switches back to `from`. Called with interrupts masked.
  {
    P::switch_context(*static_cast<typename P::Context*>(nullptr),
                      *static_cast<typename P::Context*>(nullptr))
    } -> lib::same_as<void>;
  // Lazy FPU/SIMD switching: a thread that never uses the FPU never pays.
  // fpu_switch(next) is called on every switch with the next thread's
  // state: the arch makes the FPU trap (CR0.TS / CPACR) unless `next` owns
  // the live registers; on the trap it saves the owner's registers into its
  // FpuState and loads the current thread's (fpu_current tells whose).
  { P::fpu_init(*static_cast<typename P::FpuState*>(nullptr)) } -> lib::same_as<void>;
  { P::fpu_switch(static_cast<typename P::FpuState*>(nullptr)) } -> lib::same_as<void>;
  // Forgets `state` if it owns the live FPU registers (its thread exits).
  { P::fpu_release(*static_cast<typename P::FpuState*>(nullptr)) } -> lib::same_as<void>;

  // ---- CPUs ----
  // Interrupt state: save_and_disable returns a token restore_interrupts
  // takes back (spinlocks use them).
  { P::save_and_disable_interrupts() } -> lib::same_as<uintptr_t>;
  { P::restore_interrupts(uintptr_t{}) } -> lib::same_as<void>;
  { P::interrupts_enabled() } -> lib::same_as<bool>;
  // A spin-wait hint (x86 pause, AArch64 yield).
  { P::cpu_relax() } -> lib::same_as<void>;
  // The calling CPU's index, 0 .. cpu_count()-1 (a per-CPU register: GS
  // base on x86_64, a GDT segment on i586, TPIDR_EL1 on AArch64).
  { P::current_cpu() } -> lib::same_as<unsigned>;
  { P::cpu_count() } -> lib::same_as<unsigned>;
  // The running thread (core's sched::Thread, opaque here), recorded by the
  // scheduler at every switch. current_thread() is safe with interrupts
  // enabled: it reads the value for the CPU it runs on in one step, so a
  // migration cannot hand it another CPU's (one %gs load on x86_64).
  { P::current_thread() } -> lib::same_as<void*>;
  { P::set_current_thread(static_cast<void*>(nullptr)) } -> lib::same_as<void>;
  // Installs the hooks core's scheduler wants called (before start_timer).
  { P::set_cpu_hooks(*static_cast<const CpuHooks*>(nullptr)) } -> lib::same_as<void>;
  // Starts every other CPU the firmware lists (ACPI MADT; the Pi's spin
  // table). Each runs entry(cpu) on its own boot stack with the kernel
  // address space, its traps and its local timer (at the rate start_timer
  // was given) ready and interrupts masked. Returns how many CPUs are online
  // in total (1 if the machine has only one, or the arch cannot start more).
  {
    P::start_secondary_cpus(static_cast<void (*)(unsigned)>(nullptr))
    } -> lib::same_as<lib::Result<unsigned>>;
  { P::send_ipi(unsigned{}, Ipi::kReschedule) } -> lib::same_as<void>;
  // Flushes the calling CPU's whole non-global TLB (shootdown handler).
  { P::invalidate_tlb_all() } -> lib::same_as<void>;
  // Waits for an interrupt (the idle thread's loop body): enables
  // interrupts and halts atomically (x86: sti; hlt), then masks them again.
  { P::wait_for_interrupt() } -> lib::same_as<void>;

  // [[noreturn]]: waits for interrupts forever.
  P::idle_forever();
  // [[noreturn]]: stops the machine; see StopReason.
  P::stop(StopReason::kPanic);
};

// ---- User mode ----
// What core's processes, system calls and user drivers need. A user thread
// is a kernel thread that entered user mode: it comes back into the kernel
// (on its own kernel stack) through system calls, traps and interrupts.
//
// The arch calls into core through core/user/entry.h:
//  - user::handle_syscall(frame) for every system call, with interrupts
//    enabled;
//  - user::handle_fault(fault) for every exception from user mode (page
//    fault, illegal instruction, ...), with interrupts enabled; it ends the
//    process and does not return;
//  - user::exit_to_user() as the last thing before any return to user mode
//    (after a system call, a trap or an interrupt that came from user mode),
//    with interrupts masked; it may not return (the thread is being killed).
template <typename P>
concept UserContract = requires(typename P::UserFrame& frame, const typename P::UserFrame& cframe,
                                typename P::IoPorts& ports, void* buffer, const void* data) {
  // User space is [0, kUserTop): x86_64 the lower canonical half (128 TiB),
  // i586 below the kernel's 3 GiB, AArch64 TTBR0's 48 bits (256 TiB).
  { P::kUserTop } -> lib::same_as<const uint64_t&>;

  // The user registers a system call or trap saved on the kernel stack;
  // core reads and writes them only through these (register use:
  // sysroot/include/mica/syscall.h).
  typename P::UserFrame;
  { P::syscall_number(cframe) } -> lib::same_as<uintptr_t>;
  // Arguments 0..5 as six consecutive words in the frame, in place: results
  // 1..4 (the IPC words) go back in words 1..4, which every arch's ABI makes
  // the same registers, so a call reads and answers them with no copying.
  { P::syscall_registers(frame) } -> lib::same_as<uintptr_t*>;
  // Result 0, the return value (on AArch64 the register of argument 0).
  { P::set_syscall_value(frame, uintptr_t{}) } -> lib::same_as<void>;
  // Whether a thread blocked in a system call can be resumed straight in
  // user mode (the IPC fast path); then P::syscall_frame(kernel_stack_top)
  // and P::init_context_syscall_return(context, frame) exist (x86_64).
  { P::kSyscallReturnContexts } -> lib::same_as<const bool&>;

  // [[noreturn]]: leaves the kernel for user mode on the calling thread for
  // the first time, at `ip` with stack pointer `sp`, arg0 and arg1 in
  // argument registers 0 and 1, every other register zero, interrupts on.
  P::enter_user(uintptr_t{}, uintptr_t{}, uintptr_t{}, uintptr_t{});
  // Core calls this at every switch to a thread, with the top of that
  // thread's kernel stack: where traps from user mode land (x86 TSS esp0/
  // rsp0 and the syscall stack; a no-op where the CPU uses SP_EL1).
  { P::set_kernel_stack(uintptr_t{}) } -> lib::same_as<void>;
  // Sets the calling thread's user thread pointer (x86_64 FS base, i586 a
  // GS segment base, AArch64 TPIDR_EL0). The arch keeps it per thread across
  // switches (in Context) and starts new threads with 0.
  { P::set_user_thread_pointer(uintptr_t{}) } -> lib::same_as<void>;

  // Copies between the kernel and the current address space's user part
  // with fault recovery: false (and a partial copy) if the range leaves
  // [0, kUserTop), wraps, or touches an unmapped or (to_user) read-only
  // page. Never panics, never takes a lock.
  { P::copy_from_user(buffer, uintptr_t{}, size_t{}) } -> lib::same_as<bool>;
  { P::copy_to_user(uintptr_t{}, data, size_t{}) } -> lib::same_as<bool>;

  // I/O ports (x86): a process's permission bitmap. kHasIoPorts is false on
  // AArch64, where io_ports_allow returns kNotSupported. Core allocates an
  // IoPorts for a process the first time it is granted ports and passes it
  // (or nullptr) to activate_io_ports at every switch to one of its threads.
  typename P::IoPorts;
  { P::kHasIoPorts } -> lib::same_as<const bool&>;
  { P::io_ports_init(ports) } -> lib::same_as<void>;
  { P::io_ports_allow(ports, uint32_t{}, uint32_t{}) } -> lib::same_as<lib::Result<void>>;
  { P::activate_io_ports(static_cast<const typename P::IoPorts*>(nullptr)) } -> lib::same_as<void>;

  // Device interrupts for user drivers, numbered as the board numbers them
  // (x86: ISA IRQ 0-15 through the I/O APIC or PIC; Raspberry Pi: the
  // BCM2835 controller's 0-63 GPU IRQs, then 64+ the ARM ones). The timer's
  // IRQ is never routable. irq_route installs `handler`, called in interrupt
  // context with the line masked; it stays masked until irq_unmask.
  // kInvalidArgs for a number out of range or reserved, kBusy if routed.
  { P::kIrqCount } -> lib::same_as<const unsigned&>;
  {
    P::irq_route(unsigned{}, static_cast<void (*)(unsigned)>(nullptr))
    } -> lib::same_as<lib::Result<void>>;
  { P::irq_unmask(unsigned{}) } -> lib::same_as<void>;
  { P::irq_release(unsigned{}) } -> lib::same_as<void>;
};

}  // namespace arch
