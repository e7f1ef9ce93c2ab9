// The first instructions of kernel8.img. The firmware (or QEMU's boot stub)
// jumps to 0x80000 with the device tree address in x0 (0 if none), MMU and
// caches off, at EL3, EL2 or EL1 depending on the board and config.txt.
//
// _start keeps only the boot CPU, drops it to EL1h with interrupts masked,
// sets a known SCTLR_EL1 (MMU still off), installs the exception vectors,
// zeroes .bss, switches to the boot stack and calls arch_boot(dtb) in boot.cc.

// SCTLR_EL1: the ARMv8.0 RES1 bits (11, 20, 22, 23, 28, 29), little-endian,
// MMU and data cache off, alignment checks only for SP (SA, SA0), I-cache on
// (instruction fetches with the MMU off are Normal memory, so it is safe).
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_EL1_SA (1 << 3)
#define SCTLR_EL1_SA0 (1 << 4)
#define SCTLR_EL1_I (1 << 12)
#define SCTLR_EL1_BOOT (SCTLR_EL1_RES1 | SCTLR_EL1_I | SCTLR_EL1_SA0 | SCTLR_EL1_SA)

// HCR_EL2.RW: EL1 runs AArch64.
#define HCR_EL2_RW (1 << 31)
// CNTHCTL_EL2: EL1 may read the physical counter and use the physical timer.
#define CNTHCTL_EL2_EL1PCTEN (1 << 0)
#define CNTHCTL_EL2_EL1PCEN (1 << 1)
// CPTR_EL2: RES1 bits only, so FP/SIMD is not trapped to EL2 (EL1 decides).
#define CPTR_EL2_RES1 0x33ff
// SCR_EL3: lower ELs non-secure (NS), RES1 bits 4-5, EL2 AArch64 (RW).
#define SCR_EL3_BOOT ((1 << 0) | (3 << 4) | (1 << 10))
// SPSR for the eret: EL1h (SP_EL1), D, A, I and F masked.
#define SPSR_EL1H_MASKED 0x3c5

  .section .text.boot, "ax"
  .global _start
  .type _start, %function
_start:
  // x0 is the device tree; keep it in a register nothing below touches.
  mov x19, x0

  // Only the boot CPU (affinity 0.0.0) runs the kernel. Real firmware may
  // start all four cores here; the others wait until the SMP issue wakes
  // them through the spin table.
  mrs x1, mpidr_el1
  and x1, x1, #0xffffff
  cbnz x1, park_cpu

  mrs x1, CurrentEL
  lsr x1, x1, #2
  cmp x1, #3
  b.eq from_el3
  cmp x1, #2
  b.eq from_el2
  b in_el1

// EL2 state that EL1 depends on, set from EL3 or EL2.
.macro configure_el2
  mov x1, #HCR_EL2_RW
  msr hcr_el2, x1
  mrs x1, cnthctl_el2
  orr x1, x1, #(CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN)
  msr cnthctl_el2, x1
  msr cntvoff_el2, xzr
  mov x1, #CPTR_EL2_RES1
  msr cptr_el2, x1
  msr hstr_el2, xzr
  // EL1 reads of MIDR/MPIDR return these; make them the real values.
  mrs x1, midr_el1
  msr vpidr_el2, x1
  mrs x1, mpidr_el1
  msr vmpidr_el2, x1
.endm

from_el3:
  msr cptr_el3, xzr  // no FP/SIMD traps to EL3
  mov x1, #SCR_EL3_BOOT
  msr scr_el3, x1
  configure_el2
  // Straight to EL1: nothing needs to run at EL2.
  mov x1, #SPSR_EL1H_MASKED
  msr spsr_el3, x1
  adr x1, in_el1
  msr elr_el3, x1
  eret

from_el2:
  configure_el2
  mov x1, #SPSR_EL1H_MASKED
  msr spsr_el2, x1
  adr x1, in_el1
  msr elr_el2, x1
  eret

in_el1:
  msr daifset, #0xf
  ldr x1, =SCTLR_EL1_BOOT
  msr sctlr_el1, x1
  // FP/SIMD traps at EL1 and EL0: the kernel is built general-registers-only,
  // so any FP use is a bug and shows up as an exception. The scheduler issue
  // that saves FP state for threads opens this up.
  msr cpacr_el1, xzr
  adr x1, exception_vectors
  msr vbar_el1, x1
  isb

  // Zero .bss (16-byte aligned at both ends by kernel.ld). 8-byte stores:
  // with the MMU off memory is Device, so no DC ZVA.
  adrp x1, __bss_start
  add x1, x1, :lo12:__bss_start
  adrp x2, __bss_end
  add x2, x2, :lo12:__bss_end
1:
  cmp x1, x2
  b.hs 2f
  stp xzr, xzr, [x1], #16
  b 1b
2:
  adrp x1, __boot_stack_top
  add x1, x1, :lo12:__boot_stack_top
  mov sp, x1
  mov x29, xzr  // end of the frame-pointer chain
  mov x30, xzr
  mov x0, x19
  bl arch_boot
  // arch_boot does not return; if it ever does, stop here.

park_cpu:
  msr daifset, #0xf
3:
  wfe
  b 3b
  .size _start, . - _start

  .ltorg
