// Microbenchmarks of the AArch64 thread support (instructions under
// -icount shift=0): a context-switch round trip, and the lazy FP/SIMD
// costs. Each iteration masks interrupts around its switches (about four
// instructions of the total), so a scheduler cannot interleave its own.
#include <arch/platform.h>
#include <core/kbench.h>

#include "thread.h"

namespace {

using arch::Platform;
using arch::aarch64::Context;
using arch::aarch64::FpuState;

constexpr size_t kStackSize = 4096;

struct BenchThread {
  Context context;
  FpuState fpu;
  Context* back;
  FpuState* back_fpu;
  bool uses_fpu;
  bool started;
  alignas(16) uint8_t stack[kStackSize];
};
constinit BenchThread g_threads[2] = {};
constinit Context g_main = {};

void bench_start(void (*entry)(void*), void* argument) {
  entry(argument);
}

void bench_entry(void* argument) {
  auto* t = static_cast<BenchThread*>(argument);
  while (true) {
    if (t->uses_fpu) asm volatile(".arch_extension simd\n movi v0.2d, #0" ::: "memory");
    Platform::fpu_switch(t->back_fpu);
    Platform::switch_context(t->context, *t->back);
  }
}

// Switches to thread `i` (set up on first use) and back.
void round_trip(unsigned i, bool uses_fpu) {
  BenchThread& t = g_threads[i];
  if (!t.started) {
    t.started = true;
    Platform::fpu_init(t.fpu);
    aarch64::init_context(t.context, reinterpret_cast<uintptr_t>(&t.stack[kStackSize]), bench_start,
                          bench_entry, &t);
  }
  uintptr_t flags = Platform::save_and_disable_interrupts();
  t.uses_fpu = uses_fpu;
  t.back = &g_main;
  t.back_fpu = arch::aarch64::this_cpu().fpu_current;
  if (uses_fpu) {
    Platform::fpu_switch(&t.fpu);
  }
  Platform::switch_context(g_main, t.context);
  Platform::restore_interrupts(flags);
}

// Two switch_context calls, no FP/SIMD.
KBENCH(aarch64, switch_round_trip) {
  round_trip(0, false);
}

// The same thread uses FP/SIMD each time: its registers stay loaded (no
// trap), but leaving saves them (fpu_switch twice, one save).
KBENCH(aarch64, fpu_same_thread_round_trip) {
  round_trip(0, true);
}

// Two threads take turns with FP/SIMD: each turn traps and reloads. One
// iteration is two round trips (two traps, two saves, two restores).
KBENCH(aarch64, fpu_alternating_round_trips) {
  round_trip(0, true);
  round_trip(1, true);
}

}  // namespace
