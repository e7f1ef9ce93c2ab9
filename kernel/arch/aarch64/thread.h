// The arch's thread support behind Platform::init_context, switch_context
// and the fpu_* calls (thread.cc, context.S), and what the exception path
// and the self-tests need from it.
#pragma once

#include <arch/aarch64/cpu.h>

extern "C" {
// context.S.
void aarch64_thread_trampoline();
void aarch64_fpu_save(arch::aarch64::FpuState* state);
void aarch64_fpu_restore(const arch::aarch64::FpuState* state);
}

namespace aarch64 {

// init_context with the function the trampoline calls made explicit:
// start(entry, argument). Platform::init_context passes core's
// sched_thread_start; the self-tests pass their own.
void init_context(arch::aarch64::Context& context, uintptr_t stack_top,
                  void (*start)(void (*)(void*), void*), void (*entry)(void*), void* argument);

// Whether core's scheduler is linked in (sched_thread_start is defined).
bool have_scheduler();

// The FP/SIMD access trap (ESR_EL1.EC 0x07) from EL1 or EL0: gives the
// running thread its registers and returns to retry the instruction.
void handle_fpu_trap();

}  // namespace aarch64
