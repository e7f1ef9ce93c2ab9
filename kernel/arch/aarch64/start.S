// The first instructions of kernel8.img. The firmware (or QEMU's boot stub)
// jumps to physical 0x80000 with the device tree address in x0 (0 if none),
// MMU and caches off, at EL3, EL2 or EL1 depending on the board and
// config.txt.
//
// _start keeps only the boot CPU, drops it to EL1h with interrupts masked,
// zeroes .bss, builds the boot page tables, turns the MMU and caches on and
// jumps to the kernel's link address in the higher half (layout.h), where it
// switches to the boot stack and calls arch_boot(dtb) in boot.cc.
//
// The image is linked at KERNEL_VIRTUAL_BASE + physical but runs at its
// physical address until the MMU is on, so everything before the jump
// addresses memory PC-relatively (adr/adrp), which yields physical
// addresses; `ldr xN, =symbol` yields link (virtual) addresses.
#include <arch/aarch64/layout.h>
#include <board/peripherals.h>

// SCTLR_EL1: the ARMv8.0 RES1 bits (11, 20, 22, 23, 28, 29), little-endian,
// alignment checks only for SP (SA, SA0), I-cache on (instruction fetches
// with the MMU off are Normal memory, so it is safe); M and C come on with
// the boot page tables. EL0 may use WFI and WFE (nTWI, nTWE: they wait for
// an interrupt or event at most), read CTR_EL0 (UCT), zero cache lines with
// DC ZVA (DZE) and clean or invalidate its own memory by address (UCI: what
// a loader or JIT needs); it may not touch DAIF (UMA stays 0).
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_EL1_M (1 << 0)
#define SCTLR_EL1_C (1 << 2)
#define SCTLR_EL1_SA (1 << 3)
#define SCTLR_EL1_SA0 (1 << 4)
#define SCTLR_EL1_I (1 << 12)
#define SCTLR_EL1_DZE (1 << 14)
#define SCTLR_EL1_UCT (1 << 15)
#define SCTLR_EL1_NTWI (1 << 16)
#define SCTLR_EL1_NTWE (1 << 18)
#define SCTLR_EL1_UCI (1 << 26)
#define SCTLR_EL1_EL0 \
  (SCTLR_EL1_DZE | SCTLR_EL1_UCT | SCTLR_EL1_NTWI | SCTLR_EL1_NTWE | SCTLR_EL1_UCI)
#define SCTLR_EL1_BOOT \
  (SCTLR_EL1_RES1 | SCTLR_EL1_I | SCTLR_EL1_SA0 | SCTLR_EL1_SA | SCTLR_EL1_EL0)

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

// MAIR_EL1: attribute 0 Normal write-back read/write-allocate (inner and
// outer), attribute 1 Device-nGnRE, as page_table_format.h encodes them.
#define MAIR_EL1_BOOT 0x04ff

// TCR_EL1: 48-bit VAs in both halves (T0SZ = T1SZ = 16), 4 KiB granules,
// table walks inner-shareable and write-back cacheable. IPS (the physical
// address size) and AS (16-bit ASIDs) come from ID_AA64MMFR0_EL1 at run time.
#define TCR_T0SZ(n) (n)
#define TCR_IRGN0_WBWA (1 << 8)
#define TCR_ORGN0_WBWA (1 << 10)
#define TCR_SH0_INNER (3 << 12)
#define TCR_TG0_4K (0 << 14)
#define TCR_T1SZ(n) ((n) << 16)
#define TCR_IRGN1_WBWA (1 << 24)
#define TCR_ORGN1_WBWA (1 << 26)
#define TCR_SH1_INNER (3 << 28)
#define TCR_TG1_4K (2 << 30)
#define TCR_IPS_SHIFT 32
#define TCR_AS (1 << 36)
#define TCR_EL1_BOOT                                                                          \
  (TCR_T0SZ(16) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K |             \
   TCR_T1SZ(16) | TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K)

// Level 2 block descriptors (2 MiB), EL1 read-write, access flag set, never
// executable at EL0. Normal RAM is inner-shareable and executable at EL1 (the
// kernel runs from it until init_kernel_address_space); Device memory is
// never executable.
#define DESC_TABLE 0x3
#define DESC_BLOCK 0x1
#define DESC_ATTR_NORMAL (0 << 2)
#define DESC_ATTR_DEVICE (1 << 2)
#define DESC_INNER_SHAREABLE (3 << 8)
#define DESC_AF (1 << 10)
#define DESC_PXN (1 << 53)
#define DESC_UXN (1 << 54)
#define BLOCK_NORMAL (DESC_BLOCK | DESC_ATTR_NORMAL | DESC_INNER_SHAREABLE | DESC_AF | DESC_UXN)
#define BLOCK_DEVICE (DESC_BLOCK | DESC_ATTR_DEVICE | DESC_AF | DESC_PXN | DESC_UXN)
#define BLOCK_SIZE_SHIFT 21
#define BOOT_L2_TABLES (BOOT_MAP_LIMIT >> 30)

#if BOARD_DEVICE_WINDOW_END > BOOT_MAP_LIMIT
#error "the board's device window is beyond the boot page tables"
#endif
#if (BOARD_DEVICE_WINDOW_BASE | BOARD_DEVICE_WINDOW_END) & ((1 << BLOCK_SIZE_SHIFT) - 1)
#error "the board's device window must be 2 MiB aligned"
#endif

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

// Drops the CPU from whatever EL it is in to EL1h with D, A, I and F masked
// and continues at `target` (physical, PC-relative). Clobbers x1.
.macro enter_el1 target
  mrs x1, CurrentEL
  lsr x1, x1, #2
  cmp x1, #3
  b.eq 1f
  cmp x1, #2
  b.eq 2f
  b \target
1:  // EL3
  msr cptr_el3, xzr  // no FP/SIMD traps to EL3
  mov x1, #SCR_EL3_BOOT
  msr scr_el3, x1
  configure_el2
  // Straight to EL1: nothing needs to run at EL2.
  mov x1, #SPSR_EL1H_MASKED
  msr spsr_el3, x1
  adr x1, \target
  msr elr_el3, x1
  eret
2:  // EL2
  configure_el2
  mov x1, #SPSR_EL1H_MASKED
  msr spsr_el2, x1
  adr x1, \target
  msr elr_el2, x1
  eret
.endm

// EL1 system state every CPU starts with (MMU off): SCTLR without M and C,
// FP/SIMD trapped, the vectors at their physical address. Clobbers x1.
.macro configure_el1
  msr daifset, #0xf
  ldr x1, =SCTLR_EL1_BOOT
  msr sctlr_el1, x1
  // FP/SIMD traps at EL1 and EL0: the kernel is built general-registers-only,
  // and threads get the registers lazily (thread.cc opens the trap per
  // thread).
  msr cpacr_el1, xzr
  // No user thread pointer left over from the firmware (threads get their
  // own TPIDR_EL0; TPIDRRO_EL0 is unused and stays 0).
  msr tpidr_el0, xzr
  msr tpidrro_el0, xzr
  // The vectors at their physical address until the MMU is on (an exception
  // this early hangs in exception_common rather than in a fetch fault loop).
  adr x1, exception_vectors
  msr vbar_el1, x1
  isb
.endm

  .section .text.boot, "ax"
  .global _start
  .type _start, %function
_start:
  // x0 is the device tree; keep it in a register nothing below touches.
  mov x19, x0

  // Only the boot CPU (affinity 0.0.0) runs the kernel. Real firmware may
  // start all four cores here; the others wait until start_secondary_cpus
  // releases them through the spin table.
  mrs x1, mpidr_el1
  and x1, x1, #0xffffff
  cbnz x1, park_cpu

  enter_el1 in_el1

in_el1:
  configure_el1

  // Zero .bss (16-byte aligned at both ends by kernel.ld). With the MMU off
  // memory is Device-nGnRnE, so plain stores, no DC ZVA.
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
  bl build_boot_page_tables

  // These stores went around the (still off) data cache; invalidate any
  // stale lines over .bss, so neither the kernel nor the table walker (whose
  // walks are cacheable) see older contents once the cache is on.
  dsb sy
  adrp x1, __bss_start
  add x1, x1, :lo12:__bss_start
  adrp x2, __bss_end
  add x2, x2, :lo12:__bss_end
  mrs x3, ctr_el0
  ubfx x3, x3, #16, #4  // DminLine: log2 of the line size in words
  mov x4, #4
  lsl x4, x4, x3        // line size in bytes
  sub x5, x4, #1
  bic x1, x1, x5
3:
  dc ivac, x1
  add x1, x1, x4
  cmp x1, x2
  b.lo 3b
  dsb sy

  bl enable_mmu

  // Running with the MMU on, still at the physical address through the
  // TTBR0 identity map: jump to the link address.
  ldr x1, =virtual_start
  br x1

park_cpu:
  msr daifset, #0xf
4:
  wfe
  b 4b
  .size _start, . - _start

// A secondary core released from the spin table (cpu.cc), MMU off, in the
// boot CPU's starting EL. The boot page tables are still intact in .bss:
// they map the image in the higher half and, for the switch, identity.
  .global aarch64_secondary_start
  .type aarch64_secondary_start, %function
aarch64_secondary_start:
  msr daifset, #0xf
  enter_el1 secondary_el1
secondary_el1:
  configure_el1
  bl enable_mmu
  ldr x1, =secondary_virtual_start
  br x1
  .size aarch64_secondary_start, . - aarch64_secondary_start

// Fills the boot page tables (physical addresses, MMU off). One level 0 and
// one level 1 table serve both TTBR0 (identity) and TTBR1 (DIRECT_MAP_BASE
// is slot 0 of the upper half): L0[0] -> L1, L1[i] -> the i-th L2 table,
// whose 2 MiB blocks map [i GiB, i+1 GiB). A block is Device inside the
// board's device window, Normal below BOOT_DIRECT_MAP_LIMIT, else invalid.
  .type build_boot_page_tables, %function
build_boot_page_tables:
  adrp x0, boot_l0
  adrp x1, boot_l1
  adrp x2, boot_l2
  orr x3, x1, #DESC_TABLE
  str x3, [x0]
  mov x3, #0
1:
  add x4, x2, x3, lsl #12
  orr x4, x4, #DESC_TABLE
  str x4, [x1, x3, lsl #3]
  add x3, x3, #1
  cmp x3, #BOOT_L2_TABLES
  b.lo 1b

  ldr x5, =BOARD_DEVICE_WINDOW_BASE
  ldr x6, =BOARD_DEVICE_WINDOW_END
  ldr x7, =BOOT_DIRECT_MAP_LIMIT
  ldr x8, =BOOT_MAP_LIMIT
  ldr x9, =BLOCK_NORMAL
  ldr x10, =BLOCK_DEVICE
  mov x3, #0  // physical address of the block
2:
  cmp x3, x5
  b.lo 3f
  cmp x3, x6
  b.hs 3f
  orr x4, x3, x10
  b 5f
3:
  mov x4, #0
  cmp x3, x7
  b.hs 5f
  orr x4, x3, x9
5:
  str x4, [x2], #8
  add x3, x3, #(1 << BLOCK_SIZE_SHIFT)
  cmp x3, x8
  b.lo 2b
  ret
  .size build_boot_page_tables, . - build_boot_page_tables

// Programs MAIR, TCR and both TTBRs with the boot tables and turns on the
// MMU and the caches. Returns to the physical caller (identity-mapped).
  .type enable_mmu, %function
enable_mmu:
  ldr x1, =MAIR_EL1_BOOT
  msr mair_el1, x1

  ldr x1, =TCR_EL1_BOOT
  mrs x2, id_aa64mmfr0_el1
  and x3, x2, #0xf  // PARange
  cmp x3, #5        // at most 48 bits (52 needs FEAT_LPA and other formats)
  mov x4, #5
  csel x3, x3, x4, ls
  orr x1, x1, x3, lsl #TCR_IPS_SHIFT
  ubfx x3, x2, #4, #4  // ASIDBits: 2 = 16-bit ASIDs
  cmp x3, #2
  b.ne 1f
  orr x1, x1, #TCR_AS
1:
  msr tcr_el1, x1

  adrp x1, boot_l0
  msr ttbr0_el1, x1
  msr ttbr1_el1, x1
  isb
  tlbi vmalle1  // nothing the firmware left in the TLB may survive
  dsb nsh
  isb

  mrs x1, sctlr_el1
  orr x1, x1, #SCTLR_EL1_M
  orr x1, x1, #SCTLR_EL1_C
  msr sctlr_el1, x1
  isb
  ic iallu  // fetches from now on go through the new translation
  dsb nsh
  isb
  ret
  .size enable_mmu, . - enable_mmu

  .ltorg

// The higher half: the boot stack, the vectors at their link address, then
// C++.
  .text
  .type virtual_start, %function
virtual_start:
  ldr x1, =__boot_stack_top
  mov sp, x1
  ldr x1, =exception_vectors
  msr vbar_el1, x1
  // The boot CPU's per-CPU block (cpu.cc), before any C++ runs.
  ldr x1, =aarch64_cpus
  msr tpidr_el1, x1
  isb
  mov x29, xzr  // end of the frame-pointer chain
  mov x30, xzr
  mov x0, x19
  bl arch_boot
  // arch_boot does not return; if it ever does, stop here.
1:
  msr daifset, #0xf
  wfe
  b 1b
  .size virtual_start, . - virtual_start

// A secondary core in the higher half (still on the boot tables): its boot
// stack (kernel.ld: core n's is slot n - 1, its top at start + n * slot),
// the vectors, then arch_secondary_boot(core) in cpu.cc.
  .type secondary_virtual_start, %function
secondary_virtual_start:
  mrs x0, mpidr_el1
  and x0, x0, #0xff  // the core number is the CPU index
  cbz x0, 2f
  cmp x0, #SECONDARY_STACK_COUNT
  b.hi 2f
  ldr x1, =__secondary_stacks_start
  ldr x2, =SECONDARY_STACK_SLOT
  madd x1, x0, x2, x1
  mov sp, x1
  ldr x1, =exception_vectors
  msr vbar_el1, x1
  isb
  mov x29, xzr
  mov x30, xzr
  bl arch_secondary_boot
2:
  msr daifset, #0xf
  wfe
  b 2b
  .size secondary_virtual_start, . - secondary_virtual_start

  .ltorg

// The boot page tables: level 0, level 1 and one level 2 table per GiB of
// BOOT_MAP_LIMIT. Zeroed with the rest of .bss before they are filled.
  .section .bss.boot_page_tables, "aw", %nobits
  .balign 4096
boot_l0:
  .space 4096
boot_l1:
  .space 4096
boot_l2:
  .space 4096 * BOOT_L2_TABLES
