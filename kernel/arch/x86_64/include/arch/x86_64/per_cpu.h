// Per-CPU data on x86_64, reached through the GS base (IA32_GS_BASE): each
// CPU's points at its own PerCpu, whose first field points at itself, so
// one %gs-relative load finds it. Kernel only for now: user mode will need
// SWAPGS on entry and exit.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/x86/acpi.h>
#include <arch/x86/fpu.h>

namespace arch::x86_64 {

struct PerCpu {
  PerCpu* self;
  uint32_t index;    // 0 .. cpu_count()-1; the boot CPU is 0
  uint32_t apic_id;  // its local APIC's id
  x86::FpuCpu fpu;
  // Counted by the arch's handlers, for tests and diagnostics.
  uint64_t timer_interrupts;
  uint64_t ipis;
};

inline constexpr size_t kPerCpuSelf = 0;
inline constexpr size_t kPerCpuIndex = 8;

// The calling CPU's. Volatile: a thread can move to another CPU between two
// calls (callers that care keep interrupts masked).
inline PerCpu& this_cpu() {
  PerCpu* self;
  asm volatile("mov %%gs:%c1, %0" : "=r"(self) : "i"(kPerCpuSelf));
  return *self;
}

inline uint32_t this_cpu_index() {
  uint32_t index;
  asm volatile("movl %%gs:%c1, %0" : "=r"(index) : "i"(kPerCpuIndex));
  return index;
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
