// The hooks core's scheduler installs (arch::CpuHooks), as the x86 interrupt
// paths call them. Set once at boot, before interrupts can use them.
#pragma once

#include <arch/contract.h>

namespace arch::x86 {

void set_cpu_hooks(const CpuHooks& hooks);

// The installed hooks; members are null until core sets them.
const CpuHooks& cpu_hooks();

// At the end of every interrupt (vector >= 32), with interrupts masked:
// core may switch threads here.
inline void interrupt_exit() {
  if (auto exit = cpu_hooks().interrupt_exit; exit != nullptr) exit();
}

}  // namespace arch::x86
