// Thread contexts and lazy FP/SIMD switching.
//
// FP/SIMD: CPACR_EL1.FPEN traps every FP/SIMD instruction unless the running
// thread's values are in this CPU's registers. The first use after a switch
// traps; the handler loads the thread's saved values (unless the registers
// still hold them) and lets it run. A thread that never uses FP/SIMD never
// pays for it.
//
// SMP: a thread's live values must never be left behind in one CPU's
// registers when it may run next on another. So whenever a thread that had
// the registers enabled is switched out, fpu_switch saves them (a few dozen
// instructions; only threads that used FP/SIMD in that time slice pay). The
// saved copy is then always current, and the trap never has to save anyone
// else's values. The registers keep those values too: if the same thread
// comes back to the same CPU with nobody else having loaded theirs in
// between (owner and FpuState::cpu both still match), it runs without a trap.
#include "thread.h"

#include <arch/platform.h>
#include <core/console.h>
#include <lib/string.h>

// Core's scheduler: finishes the switch to a new thread, enables interrupts
// and calls entry(argument). Weak until core's scheduler is in the tree.
// TODO: make it a plain declaration once kernel/core/sched defines it.
extern "C" [[gnu::weak]] void sched_thread_start(void (*entry)(void*), void* argument);

namespace aarch64 {
namespace {

using arch::aarch64::Cpu;
using arch::aarch64::FpuState;
using arch::aarch64::kNoCpu;
using arch::aarch64::this_cpu;

constexpr uint64_t kCpacrFpenNoTrap = uint64_t{3} << 20;  // CPACR_EL1.FPEN = 0b11

void set_fpu_access(Cpu& cpu, bool enabled) {
  if (cpu.fpu_enabled == enabled) return;
  cpu.fpu_enabled = enabled;
  asm volatile("msr cpacr_el1, %0; isb" : : "r"(enabled ? kCpacrFpenNoTrap : 0) : "memory");
}

}  // namespace

bool have_scheduler() {
  return sched_thread_start != nullptr;
}

void init_context(arch::aarch64::Context& context, uintptr_t stack_top,
                  void (*start)(void (*)(void*), void*), void (*entry)(void*), void* argument) {
  context = {};
  context.x19_x28[0] = reinterpret_cast<uint64_t>(start);
  context.x19_x28[1] = reinterpret_cast<uint64_t>(entry);
  context.x19_x28[2] = reinterpret_cast<uint64_t>(argument);
  context.fp = 0;
  context.lr = reinterpret_cast<uint64_t>(&aarch64_thread_trampoline);
  context.sp = stack_top & ~uintptr_t{15};
}

void handle_fpu_trap() {
  Cpu& cpu = this_cpu();
  FpuState* current = cpu.fpu_current;
  if (current == nullptr) panic("FP/SIMD use on CPU %u with no thread FP state", cpu.index);
  ++cpu.fpu_traps;
  set_fpu_access(cpu, true);
  // The previous owner's values were saved when it was switched out (see
  // above), so they can be overwritten.
  if (cpu.fpu_owner != current || current->cpu != cpu.index) {
    aarch64_fpu_restore(current);
    cpu.fpu_owner = current;
    current->cpu = cpu.index;
  }
}

}  // namespace aarch64

namespace arch {

void Platform::init_context(Context& context, uintptr_t stack_top, void (*entry)(void*),
                            void* argument) {
  if (sched_thread_start == nullptr) panic("init_context: no scheduler (sched_thread_start)");
  ::aarch64::init_context(context, stack_top, sched_thread_start, entry, argument);
}

void Platform::fpu_init(FpuState& state) {
  memset(state.v, 0, sizeof(state.v));
  state.fpcr = 0;  // round to nearest, no flush-to-zero, no traps
  state.fpsr = 0;
  state.cpu = aarch64::kNoCpu;
}

void Platform::fpu_switch(FpuState* next) {
  aarch64::Cpu& cpu = aarch64::this_cpu();
  // The outgoing thread had the registers (it owns them): it may have
  // changed them, and may run next on another CPU.
  if (cpu.fpu_enabled) aarch64_fpu_save(cpu.fpu_owner);
  cpu.fpu_current = next;
  ::aarch64::set_fpu_access(cpu,
                            next != nullptr && cpu.fpu_owner == next && next->cpu == cpu.index);
}

void Platform::fpu_release(FpuState& state) {
  aarch64::Cpu& cpu = aarch64::this_cpu();
  if (cpu.fpu_current == &state) {
    ::aarch64::set_fpu_access(cpu, false);
    cpu.fpu_current = nullptr;
  }
  if (cpu.fpu_owner == &state) cpu.fpu_owner = nullptr;
  // Another CPU may still name `state` as its owner; this makes that stale
  // (its check of FpuState::cpu fails), should the memory become another
  // thread's FpuState.
  state.cpu = aarch64::kNoCpu;
}

}  // namespace arch
