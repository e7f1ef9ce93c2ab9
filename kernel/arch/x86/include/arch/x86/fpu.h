// Lazy FPU/SIMD context switching for x86_64 and i586.
//
// A thread that never touches the FPU never pays for it: fpu_switch() sets
// CR0.TS unless the next thread's state is already in this CPU's registers,
// and the first FPU instruction after that traps (#NM, vector 7), where
// fpu_device_not_available() loads the running thread's state.
//
// Per CPU, `owner` is the state the registers hold (a cache: on one CPU it is
// saved only when another thread needs the registers). Once other CPUs run,
// a thread may move, so the owner's registers are also saved when it is
// switched out after using them (fpu_start_smp); FpuState::loaded_on then
// tells whether this CPU's copy is still the newest.
//
// The image is FXSAVE's (512 bytes: x87, MMX, SSE, MXCSR) when the CPU has
// FXSR, else FNSAVE's (108 bytes: x87 only; the Pentium).
#pragma once

#include <stdint.h>

namespace arch::x86 {

struct alignas(16) FpuState {
  uint8_t image[512];
  // The CPU whose registers last loaded this state, kNotLoaded if none.
  uint32_t loaded_on;
  static constexpr uint32_t kNotLoaded = ~0u;
};

// One per CPU; only that CPU touches it, with interrupts masked.
struct FpuCpu {
  FpuState* current = nullptr;  // the running thread's state (fpu_switch)
  FpuState* owner = nullptr;    // whose values the registers hold
  bool dirty = false;           // the registers may be newer than owner->image
  bool trapping = true;         // CR0.TS is set
  uint64_t traps = 0;           // #NM faults taken (for tests and diagnostics)
};

// Per CPU at boot (every CPU): CR0.MP, no emulation, native FPU errors
// (CR0.NE), CR4.OSFXSR/OSXMMEXCPT if supported, fninit, and CR0.TS so the
// first use traps.
void fpu_cpu_init(FpuCpu& cpu);

// Whether the CPU saves with FXSAVE (else FNSAVE); valid after fpu_cpu_init.
bool fpu_has_fxsr();

// A clean image: fninit's state, all exceptions masked, MXCSR 0x1f80.
void fpu_init_state(FpuState& state);

// Called on every thread switch on CPU `cpu_index` with the next thread's
// state (nullptr: the next thread may not use the FPU).
void fpu_switch_slow(FpuCpu& cpu, uint32_t cpu_index, FpuState* next);
inline void fpu_switch(FpuCpu& cpu, uint32_t cpu_index, FpuState* next) {
  // The common case, inline: neither thread holds the registers, so there
  // is nothing to save and the FPU keeps trapping.
  if (cpu.trapping && cpu.owner != cpu.current && cpu.owner != next) {
    cpu.current = next;
    return;
  }
  fpu_switch_slow(cpu, cpu_index, next);
}

// The #NM handler: loads the running thread's state (saving the previous
// owner's first if the registers hold newer values). False if the running
// thread has no FPU state (the caller reports the fault).
[[nodiscard]] bool fpu_device_not_available(FpuCpu& cpu, uint32_t cpu_index);

// `state` stops existing (its thread exits): forgets it as this CPU's owner
// without saving, and marks it loaded nowhere.
void fpu_release(FpuCpu& cpu, FpuState& state);

// Before other CPUs start (on the boot CPU): saves a newer owner now, and from
// then on saves the outgoing thread's registers in fpu_switch when it used
// them, so a thread that moves to another CPU finds its newest state in
// memory.
void fpu_start_smp(FpuCpu& boot_cpu);

}  // namespace arch::x86
