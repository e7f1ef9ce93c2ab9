// x86_64 threads: initial contexts, lazy FPU switching through the per-CPU
// FPU state, and the hooks core's scheduler installs.
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/thread.h>
#include <arch/x86_64/per_cpu.h>
#include <core/sched/scheduler.h>

extern "C" void x86_64_thread_trampoline();

namespace arch {

namespace x86 {

FpuCpu& this_cpu_fpu() {
  return x86_64::this_cpu().fpu;
}

}  // namespace x86

void Platform::init_context_calling(Context& context, uintptr_t stack_top, x86::ThreadStart start,
                                    void (*entry)(void*), void* argument) {
  // From the top: a null frame (return address and saved RBP) that ends
  // backtraces, the trampoline as switch_context's return address, then the
  // callee-saved registers switch_context pops (r15 lowest). After the `ret`
  // RSP is 16-aligned, as the trampoline's call needs.
  auto* slot = reinterpret_cast<uint64_t*>(stack_top & ~uintptr_t{15});
  *--slot = 0;
  *--slot = 0;
  *--slot = reinterpret_cast<uint64_t>(&x86_64_thread_trampoline);
  *--slot = 0;                                     // rbx
  *--slot = 0;                                     // rbp: no caller frame
  *--slot = reinterpret_cast<uint64_t>(entry);     // r12
  *--slot = reinterpret_cast<uint64_t>(argument);  // r13
  *--slot = reinterpret_cast<uint64_t>(start);     // r14
  *--slot = 0;                                     // r15
  context.stack_pointer = reinterpret_cast<uintptr_t>(slot);
  context.user_fs_base = 0;
}

void Platform::init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                            void* argument) {
  init_context_calling(context, stack_top, sched_thread_start, entry, argument);
}

void Platform::fpu_release(FpuState& state) {
  x86::fpu_release(x86_64::this_cpu().fpu, state);
}

void Platform::set_cpu_hooks(const CpuHooks& hooks) {
  x86::set_cpu_hooks(hooks);
}

}  // namespace arch
