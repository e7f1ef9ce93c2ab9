// FPU/SIMD context switching for x86_64 and i586, eager: every switch saves
// the outgoing thread's registers and loads the incoming one's (FXSAVE and
// FXRSTOR). CR0.TS is never set, so there is no #NM trap and no CR0 write
// on any path, and the registers never hold one thread's values while
// another runs, so nothing can leak from them speculatively (LazyFP,
// CVE-2018-3665); a thread that moves to another CPU always finds its state
// in memory. All user code uses SSE, so a lazy scheme would trap after
// nearly every switch; Linux made the same choice (x86/fpu, 4.14).
//
// The image is FXSAVE's (512 bytes: x87, MMX, SSE, MXCSR) when the CPU has
// FXSR, else FNSAVE's (108 bytes: x87 only; the Pentium).
#pragma once

#include <stdint.h>

namespace arch::x86 {

struct alignas(16) FpuState {
  uint8_t image[512];
};

// One per CPU; only that CPU touches it, with interrupts masked.
struct FpuCpu {
  FpuState* current = nullptr;  // whose values the registers hold (fpu_switch)
};

// Per CPU at boot (every CPU): CR0.MP, no emulation, native FPU errors
// (CR0.NE), CR0.TS clear, CR4.OSFXSR/OSXMMEXCPT if supported, fninit.
void fpu_cpu_init(FpuCpu& cpu);

// Whether the CPU saves with FXSAVE (else FNSAVE); valid after fpu_cpu_init.
bool fpu_has_fxsr();

// A clean image: fninit's state, all exceptions masked, MXCSR 0x1f80.
void fpu_init_state(FpuState& state);

// FNSAVE also reinitialises the FPU.
#if defined(__x86_64__)
inline void fpu_save(FpuState& state) {
  asm volatile("fxsave64 %0" : "=m"(state.image));
}
inline void fpu_restore(const FpuState& state) {
  asm volatile("fxrstor64 %0" : : "m"(state.image));
}
#else
void fpu_save(FpuState& state);
void fpu_restore(const FpuState& state);
#endif

// Called on every thread switch with the next thread's state (nullptr: the
// next thread does not use the FPU; the registers keep what they hold).
inline void fpu_switch(FpuCpu& cpu, FpuState* next) {
  if (cpu.current != nullptr) fpu_save(*cpu.current);
  cpu.current = next;
  if (next != nullptr) fpu_restore(*next);
}

// `state` stops existing (its thread exits): it is no longer saved into.
void fpu_release(FpuCpu& cpu, FpuState& state);

}  // namespace arch::x86
