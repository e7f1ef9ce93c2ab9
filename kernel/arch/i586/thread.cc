// i586 threads and CPUs: initial contexts, FPU switching (FNSAVE on a
// Pentium, FXSAVE where the CPU has it), and the single CPU the Pentium
// board has (no local APIC: no IPIs, no secondary CPUs).
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/thread.h>
#include <core/console.h>
#include <core/sched/scheduler.h>

extern "C" void i586_thread_trampoline();

namespace arch {
namespace {

constinit x86::FpuCpu g_fpu = {};

}  // namespace

namespace x86 {

FpuCpu& this_cpu_fpu() {
  return g_fpu;
}

}  // namespace x86

void Platform::init_context_calling(Context& context, uintptr_t stack_top, x86::ThreadStart start,
                                    void (*entry)(void*), void* argument) {
  // From the top: a null frame (return address and saved EBP) that ends
  // backtraces, the trampoline as switch_context's return address, then the
  // callee-saved registers switch_context pops (ebp lowest).
  auto* slot = reinterpret_cast<uint32_t*>(stack_top & ~uintptr_t{15});
  *--slot = 0;
  *--slot = 0;
  *--slot = reinterpret_cast<uint32_t>(&i586_thread_trampoline);
  *--slot = reinterpret_cast<uint32_t>(entry);     // ebx
  *--slot = reinterpret_cast<uint32_t>(argument);  // esi
  *--slot = reinterpret_cast<uint32_t>(start);     // edi
  *--slot = 0;                                     // ebp: no caller frame
  context.stack_pointer = reinterpret_cast<uintptr_t>(slot);
  context.user_thread_pointer = 0;
}

void Platform::init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                            void* argument) {
  init_context_calling(context, stack_top, sched_thread_start, entry, argument);
}

void Platform::fpu_switch(FpuState* next) {
  x86::fpu_switch(g_fpu, next);
}

void Platform::fpu_release(FpuState& state) {
  x86::fpu_release(g_fpu, state);
}

void Platform::set_cpu_hooks(const CpuHooks& hooks) {
  x86::set_cpu_hooks(hooks);
}

lib::Result<unsigned> Platform::start_secondary_cpus(void (*)(unsigned)) {
  kprintf("mica: 1 CPU online (the i586 board has no local APIC)\n");
  return 1u;
}

void Platform::send_ipi(unsigned cpu, Ipi) {
  // The only CPU is the caller; core never needs to interrupt itself.
  if (cpu != 0) panic("send_ipi to CPU %u on a one-CPU board", cpu);
}

}  // namespace arch
