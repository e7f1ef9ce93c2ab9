// Per-CPU data on x86_64, reached through the GS base (IA32_GS_BASE): each
// CPU's points at its own PerCpu, whose first field points at itself, so
// one %gs-relative load finds it. In user mode the GS base is the user's
// (0); every entry from ring 3 (SYSCALL, traps and interrupts whose saved CS
// has RPL 3) executes SWAPGS first and every exit to ring 3 last.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/x86/acpi.h>
#include <arch/x86/fpu.h>
#include <arch/x86/io_ports.h>
#include <arch/x86_64/entry_offsets.h>

namespace arch::x86_64 {

// A suspended thread's CPU state (arch::Platform::Context): its callee-saved
// registers sit on its own stack under the address switch_context returns
// to; this holds that stack pointer and the thread's user FS base (the
// thread pointer; 0 for kernel threads and new threads).
struct Context {
  uintptr_t stack_pointer = 0;
  uintptr_t user_fs_base = 0;
};

struct PerCpu {
  PerCpu* self;
  uint32_t index;    // 0 .. cpu_count()-1; the boot CPU is 0
  uint32_t apic_id;  // its local APIC's id
  // The running thread's kernel stack top (set_kernel_stack): the SYSCALL
  // entry switches to it (the TSS's RSP0 holds the same for traps).
  uint64_t kernel_stack_top;
  // The SYSCALL entry's scratch slot for the user RSP.
  uint64_t user_rsp;
  // The running thread (Platform::current_thread).
  void* current_thread;
  // RSP0 in this CPU's TSS (set_kernel_stack writes both).
  uint64_t* tss_rsp0;
  // The context switch_context last switched to on this CPU (the running
  // thread's, once the scheduler has switched here), so
  // set_user_thread_pointer can record the FS base in it.
  Context* current_context;
  // Whose I/O bitmap the TSS holds (nullptr: none, all denied;
  // kIoPortsStale: must be reloaded), and how many leading bytes of the TSS
  // bitmap may allow something (x86::load_io_bitmap).
  const x86::IoPorts* io_ports_loaded;
  uint32_t io_extent;
  x86::FpuCpu fpu;
  // Counted by the arch's handlers, for tests and diagnostics.
  uint64_t timer_interrupts;
  uint64_t ipis;
  uint64_t user_interrupts;  // interrupts taken in ring 3
};

inline constexpr size_t kPerCpuSelf = 0;
inline constexpr size_t kPerCpuIndex = 8;
static_assert(offsetof(PerCpu, kernel_stack_top) == PER_CPU_KERNEL_STACK_TOP);
static_assert(offsetof(PerCpu, user_rsp) == PER_CPU_USER_RSP);
inline constexpr size_t kPerCpuCurrentThread = 32;
static_assert(offsetof(PerCpu, current_thread) == kPerCpuCurrentThread);
inline const x86::IoPorts* const kIoPortsStale = reinterpret_cast<const x86::IoPorts*>(1);

// The calling CPU's. Volatile: a thread can move to another CPU between two
// calls (callers that care keep interrupts masked).
inline PerCpu& this_cpu() {
  PerCpu* self;
  asm volatile("mov %%gs:%c1, %0" : "=r"(self) : "i"(kPerCpuSelf));
  return *self;
}

inline void* current_thread() {
  void* thread;
  asm volatile("mov %%gs:%c1, %0" : "=r"(thread) : "i"(kPerCpuCurrentThread));
  return thread;
}

inline uint32_t this_cpu_index() {
  uint32_t index;
  asm volatile("movl %%gs:%c1, %0" : "=r"(index) : "i"(kPerCpuIndex));
  return index;
}

// The calling CPU's FS base (the running user thread's thread pointer).
inline void write_fs_base(uint64_t value) {
  asm volatile("wrmsr"
               :
               : "c"(0xc0000100u), "a"(static_cast<uint32_t>(value)),
                 "d"(static_cast<uint32_t>(value >> 32))
               : "memory");
}

// CPU `index`'s (index < kMaxCpus).
PerCpu& cpu(unsigned index);

// Points this CPU's GS base at PerCpu `index` and fills its index.
void init_this_cpu(unsigned index);

// The calling CPU's local APIC: enabled, spurious vector set, task priority
// 0, its timer ticking at the rate start_timer chose. Returns its APIC id.
uint32_t lapic_init_this_cpu();
uint32_t lapic_id();
void lapic_end_of_interrupt();
// Sends `command` (ICR low word) to the CPU whose APIC id is `apic_id`;
// waits until the local APIC has accepted the previous one. Interrupts must
// be masked.
void lapic_send(uint32_t apic_id, uint32_t command);
// Whether start_timer found and enabled the local APIC.
bool lapic_ready();
// The MADT start_timer read (null before).
const x86::acpi::Madt* firmware_madt();

}  // namespace arch::x86_64
