// What a secondary CPU's start-up (cpu.cc) needs from the rest of the arch
// layer: the per-CPU state the boot CPU sets up in memory.cc and boot.cc.
#pragma once

namespace aarch64 {

// Loads the kernel's final translation tables (TTBR1 = kernel_root(), TTBR0
// empty), turns on SCTLR_EL1.WXN and drops this CPU's stale TLB entries.
void enter_kernel_address_space();

// Starts the calling CPU's cycle counter (PMCCNTR_EL0).
void enable_cycle_counter();

}  // namespace aarch64
