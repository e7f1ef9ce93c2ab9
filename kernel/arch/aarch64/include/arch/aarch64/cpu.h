// AArch64 per-thread and per-CPU state: what Platform::Context and
// Platform::FpuState hold, and the per-CPU block TPIDR_EL1 points at.
// context.S shares the layouts of Context and FpuState (the static_asserts
// below pin the offsets it uses).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch::aarch64 {

struct RegisterFrame;  // frame.h

// A suspended thread: the registers the AAPCS64 makes a call preserve
// (x19-x28, the frame pointer x29, the link register x30), SP, and the user
// thread pointer TPIDR_EL0 (per thread, 0 for a new one). switch_context
// stores them and resumes at the saved x30. A user thread's other EL0
// registers (SP_EL0 among them) are in the UserFrame on its kernel stack.
struct Context {
  uint64_t x19_x28[10];
  uint64_t fp;  // x29
  uint64_t lr;  // x30: where the switch back returns to
  uint64_t sp;
  uint64_t tpidr_el0;
};
static_assert(offsetof(Context, fp) == 80 && offsetof(Context, sp) == 96 &&
              offsetof(Context, tpidr_el0) == 104);

// No CPU holds an FpuState's values in its registers.
inline constexpr uint32_t kNoCpu = ~0u;

// A thread's FP/SIMD registers while they are not live on a CPU. `cpu` is
// the CPU whose registers were last loaded from (or saved to) this state:
// they still hold its values as long as that CPU's owner is this state.
struct alignas(16) FpuState {
  uint8_t v[32][16];  // v0-v31
  uint32_t fpcr;
  uint32_t fpsr;
  uint32_t cpu;
};
static_assert(offsetof(FpuState, fpcr) == 512 && offsetof(FpuState, fpsr) == 516);

// The arch's per-CPU block; TPIDR_EL1 holds its address (set before the
// first C++ function runs on that CPU).
struct Cpu {
  unsigned index;  // 0 .. cpu_count()-1 (the core number, MPIDR_EL1.Aff0)
  // Secondary start-up handshake (cpu.cc): kOffline, kStarting, kOnline or
  // kAbandoned, changed atomically.
  uint32_t state;
  uint64_t timer_deadline;  // the compare value programmed last (timer.cc)

  // Lazy FP/SIMD (thread.cc). `fpu_owner`: whose values this CPU's registers
  // hold (valid only while fpu_owner->cpu == index). `fpu_current`: the
  // running thread's state (fpu_switch). `fpu_enabled`: CPACR_EL1.FPEN lets
  // the running thread use the registers, which it then may have changed.
  FpuState* fpu_owner;
  FpuState* fpu_current;
  bool fpu_enabled;
  uint64_t fpu_traps;  // FP/SIMD access traps taken (diagnostics and tests)

  // The exception being reported on this CPU (exception.cc).
  int exception_depth;
  const RegisterFrame* exception_frame;

  // IPIs taken, by kind (diagnostics and tests).
  uint64_t ipis_received[4];

  // The top of the running thread's kernel stack (Platform::set_kernel_stack
  // at every switch): where enter_user leaves SP_EL1, so that every
  // exception from EL0 saves its UserFrame right below it.
  uintptr_t kernel_stack_top;

  // The running thread (Platform::current_thread).
  void* current_thread;
};

// The calling CPU's block. Volatile: a thread may move to another CPU
// between two calls, so the compiler must not reuse an earlier read.
inline Cpu& this_cpu() {
  uintptr_t cpu;
  asm volatile("mrs %0, tpidr_el1" : "=r"(cpu));
  return *reinterpret_cast<Cpu*>(cpu);
}

}  // namespace arch::aarch64
